using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The <c>POST /v2/schedules</c> body: a valid one reads every value, each bad input gets its problem under the field's
/// JSON path (the schedule's own fields by name, the export's prefixed <c>export.</c>), and the export follows the
/// job's rules, the timeframe dates excepted, which the schedule's timeframe sets.
/// </summary>
public sealed class ScheduleRequestParserTests
{
    // A small Intake:MaxTimeframeDays shows the schedule's timeframe is held to the intake's setting.
    private const int MaxTimeframeDays = 40;

    private static ScheduleRequestParser Parser(DestinationKinds? kinds = null) => new(
        new ExportRequestParser(Options.Create(new IntakeOptions { MaxTimeframeDays = MaxTimeframeDays }), kinds ?? AppDestinationKinds.Instance),
        Options.Create(new IntakeOptions { MaxTimeframeDays = MaxTimeframeDays }),
        Options.Create(new SchedulesOptions()),
        new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    /// <summary>A job's body from examples/ without its two timeframe dates.</summary>
    private static JsonObject ExampleExport(string file)
    {
        var export = JsonNode.Parse(File.ReadAllBytes(RepositoryPaths.Combine("examples", file)))!.AsObject();
        Assert.That(export.Remove("selected_timeframe_start") && export.Remove("selected_timeframe_end"), Is.True, file);
        return export;
    }

    private static JsonObject Body(string exportExample = "sftp.json") => new()
    {
        ["name"] = "daily warehouse feed",
        ["cron"] = "0 6 * * *",
        ["timeZone"] = "America/Los_Angeles",
        ["timeframe"] = new JsonObject { ["lastDays"] = 30, ["endDaysAgo"] = 1 },
        ["export"] = ExampleExport(exportExample),
    };

    private static JsonObject Export(JsonObject body) => body["export"]!.AsObject();

    private static (ScheduleRequest? Request, IDictionary<string, string[]> Errors) Parse(JsonObject body)
    {
        var (request, errors) = Parser().Parse(Encoding.UTF8.GetBytes(body.ToJsonString()));
        return (request, errors.ToDictionary());
    }

    private static IDictionary<string, string[]> ErrorsOf(JsonObject body)
    {
        var (request, errors) = Parse(body);
        Assert.That(request, Is.Null);
        return errors;
    }

    [Test]
    public void The_reference_sftp_example_as_export_parses_with_every_value_and_the_run_rules_default()
    {
        var (request, errors) = Parse(Body());

        Assert.That(errors, Is.Empty);
        Assert.That(request!.Name, Is.EqualTo("daily warehouse feed"));
        Assert.That(request.Timing.Cron, Is.EqualTo("0 6 * * *"));
        Assert.That(request.Timing.TimeZoneId, Is.EqualTo("America/Los_Angeles"));
        Assert.That((request.Window.LastDays, request.Window.EndDaysAgo), Is.EqualTo((30, 1)));
        Assert.That(request.Overlap, Is.SameAs(Overlap.Skip));
        Assert.That(request.SuspendAfterFailures.Count, Is.EqualTo(3));
        Assert.That(request.CatchUp, Is.SameAs(CatchUp.Latest));

        var export = request.Export;
        Assert.That(export.Name, Is.EqualTo("audiencetrends"));
        Assert.That(export.Compression, Is.EqualTo("none"));
        Assert.That(export.Destination, Is.EqualTo(new SftpSettings { Server = "example.com", Port = 21, Username = "username", Path = "/" }));
        Assert.That(export.Secrets, Is.EqualTo(new FileServerSecrets { Password = "password" }));
        Assert.That(export.Webhook, Is.Null);
        Assert.That(export.Audiences, Is.EqualTo(new[] { "audience1", "audience2" }));

        // A run's job is that export with the days of its window: 06:00 PDT on 10 March 2026 is 13:00 UTC.
        var (first, last) = request.Window.DatesFor(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), request.Timing.Zone);
        var job = export.For(first, last);
        Assert.That((job.FirstDay, job.LastDay, job.DayCount), Is.EqualTo((new DateOnly(2026, 2, 8), new DateOnly(2026, 3, 9), 30)));
        Assert.That(job with { FirstDay = default, LastDay = default }, Is.EqualTo(new ExportRequest
        {
            Name = "audiencetrends",
            Destination = export.Destination,
            Secrets = export.Secrets,
            FirstDay = default,
            LastDay = default,
            Audiences = export.Audiences,
        }));
    }

    [Test]
    public void The_export_takes_a_jobs_file_fields_and_refuses_what_a_job_refuses_under_export()
    {
        var parquet = Body();
        Export(parquet)["exportType"] = "Parquet";
        var jsonWide = Body();
        Export(jsonWide)["exportType"] = "jsonl";
        Export(jsonWide)["layout"] = "wide";
        var refused = Body();
        Export(refused)["exportType"] = "parquet";
        Export(refused)["layout"] = "wide";
        Export(refused)["compression"] = "gzip";

        var (parquetRequest, parquetErrors) = Parse(parquet);
        var (jsonRequest, jsonErrors) = Parse(jsonWide);

        Assert.That((parquetErrors, jsonErrors), Is.EqualTo((new Dictionary<string, string[]>(), new Dictionary<string, string[]>())));
        Assert.That((parquetRequest!.Export.ExportType, parquetRequest.Export.Layout), Is.EqualTo(("parquet", "long")));
        var run = jsonRequest!.Export.For(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 30));
        Assert.That((run.ExportType, run.Layout, run.FileName), Is.EqualTo(("jsonl", "wide", "audiencetrends.jsonl")));
        Assert.That(ErrorsOf(refused).Keys, Is.EquivalentTo(new[] { "export.layout", "export.compression" }));
    }

    [Test]
    public void Given_run_rules_compression_and_webhook_are_read()
    {
        var body = Body();
        body["overlap"] = "queue";
        body["suspendAfterFailures"] = 5;
        body["catchUp"] = "all";
        Export(body)["compression"] = "GZIP";
        Export(body)["webhook"] = new JsonObject { ["url"] = "https://example.com/hooks", ["secret"] = "whsec_" + Convert.ToBase64String(new byte[32]) };

        var (request, errors) = Parse(body);

        Assert.That(errors, Is.Empty);
        Assert.That(request!.Overlap, Is.SameAs(Overlap.Queue));
        Assert.That(request.SuspendAfterFailures.Count, Is.EqualTo(5));
        Assert.That(request.CatchUp, Is.SameAs(CatchUp.All));
        Assert.That(request.Export.Compression, Is.EqualTo("gzip"));
        Assert.That(request.Export.Webhook!.Url, Is.EqualTo(new Uri("https://example.com/hooks")));
        Assert.That(request.Export.For(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 1)).FileName, Is.EqualTo("audiencetrends.csv.gz"));
    }

    [Test]
    public void A_timeframe_of_exactly_the_intake_maximum_is_accepted()
    {
        var body = Body();
        body["timeframe"]!["lastDays"] = MaxTimeframeDays;
        body["timeframe"]!["endDaysAgo"] = 0;

        var (request, errors) = Parse(body);

        Assert.That(errors, Is.Empty);
        Assert.That((request!.Window.LastDays, request.Window.EndDaysAgo), Is.EqualTo((MaxTimeframeDays, 0)));
    }

    private static TestCaseData Bad(string name, Action<JsonObject> change, params string[] fields) =>
        new TestCaseData(change, fields).SetName($"Bad input names its field: {name}");

    private static IEnumerable<TestCaseData> BadInputs()
    {
        yield return Bad("invalid cron", b => b["cron"] = "0 25 * * *", "cron");
        yield return Bad("six-field cron", b => b["cron"] = "0 0 6 * * *", "cron");
        yield return Bad("cron not a string", b => b["cron"] = 6, "cron");
        yield return Bad("unknown time zone", b => b["timeZone"] = "Mars/Olympus_Mons", "timeZone");
        yield return Bad("Windows time zone id", b => b["timeZone"] = "Pacific Standard Time", "timeZone");
        yield return Bad("runs more often than the minimum interval", b => b["cron"] = "*/5 * * * *", "cron");
        yield return Bad("timeframe longer than Intake:MaxTimeframeDays", b => b["timeframe"]!["lastDays"] = MaxTimeframeDays + 1, "timeframe.lastDays");
        yield return Bad("timeframe of no days", b => b["timeframe"]!["lastDays"] = 0, "timeframe.lastDays");
        yield return Bad("timeframe days as a string", b => b["timeframe"]!["lastDays"] = "30", "timeframe.lastDays");
        yield return Bad("timeframe ending in the future", b => b["timeframe"]!["endDaysAgo"] = -1, "timeframe.endDaysAgo");
        yield return Bad("timeframe without endDaysAgo", b => b["timeframe"]!.AsObject().Remove("endDaysAgo"), "timeframe.endDaysAgo");
        yield return Bad("timeframe missing", b => b.Remove("timeframe"), "timeframe");
        yield return Bad("timeframe not an object", b => b["timeframe"] = 30, "timeframe");
        yield return Bad("name missing", b => b.Remove("name"), "name");
        yield return Bad("name too long", b => b["name"] = new string('n', 101), "name");
        yield return Bad("unknown overlap", b => b["overlap"] = "sometimes", "overlap");
        yield return Bad("unknown catchUp", b => b["catchUp"] = "some", "catchUp");
        yield return Bad("suspendAfterFailures of 0", b => b["suspendAfterFailures"] = 0, "suspendAfterFailures");
        yield return Bad("suspendAfterFailures not whole", b => b["suspendAfterFailures"] = 2.5, "suspendAfterFailures");
        yield return Bad("export missing", b => b.Remove("export"), "export");
        yield return Bad("export not an object", b => b["export"] = "sftp", "export");
        yield return Bad("export destination password missing", b => Export(b)["destination"]!.AsObject().Remove("password"), "export.destination.password");
        yield return Bad("export destination port out of range", b => Export(b)["destination"]!["port"] = 70000, "export.destination.port");
        yield return Bad("export destination unknown type", b => Export(b)["destination"]!["type"] = "dropbox", "export.destination.type");
        yield return Bad("export name missing", b => Export(b).Remove("name"), "export.name");
        yield return Bad("export name not a file name", b => Export(b)["name"] = "a/b", "export.name");
        yield return Bad("export compression unknown", b => Export(b)["compression"] = "zip", "export.compression");
        yield return Bad("export not csv", b => Export(b)["exportType"] = "xlsx", "export.exportType");
        yield return Bad("export webhook over ftp", b => Export(b)["webhook"] = new JsonObject { ["url"] = "ftp://example.com", ["secret"] = "whsec_" + Convert.ToBase64String(new byte[32]) }, "export.webhook.url");
        yield return Bad("export audiences empty", b => Export(b)["audiences"] = new JsonArray(), "export.audiences");
        yield return Bad("export audience named twice", b => Export(b)["audiences"] = new JsonArray("a", "a"), "export.audiences[1]");
        yield return Bad("export with selected_timeframe_start", b => Export(b)["selected_timeframe_start"] = "2021-07-16", "export.selected_timeframe_start");
        yield return Bad("export with both timeframe dates", b =>
        {
            Export(b)["selected_timeframe_start"] = "2021-07-16";
            Export(b)["selected_timeframe_end"] = "2021-08-16";
        }, "export.selected_timeframe_start", "export.selected_timeframe_end");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void Bad_input_names_its_field(Action<JsonObject> change, string[] fields)
    {
        var body = Body();
        change(body);

        var errors = ErrorsOf(body);

        Assert.That(errors.Keys, Is.EquivalentTo(fields));
        foreach (var (field, messages) in errors)
        {
            Assert.That(messages, Has.All.Contains(field + " "), field);
        }
    }

    [Test]
    public void Every_problem_is_listed_at_once()
    {
        var body = Body();
        body["cron"] = "0 6 * *";
        body["timeZone"] = "Nowhere/Special";
        body["timeframe"]!["lastDays"] = 0;
        Export(body)["destination"]!.AsObject().Remove("password");
        Export(body)["selected_timeframe_end"] = "2021-08-16";

        Assert.That(ErrorsOf(body).Keys, Is.EquivalentTo(new[]
        {
            "cron", "timeZone", "timeframe.lastDays", "export.destination.password", "export.selected_timeframe_end",
        }));
    }

    [Test]
    public void The_refused_dates_and_an_export_rule_read_as_for_a_job_under_export()
    {
        var body = Body();
        Export(body)["destination"]!.AsObject().Remove("password");
        Export(body)["selected_timeframe_start"] = "2021-07-16";

        Assert.That(ErrorsOf(body), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["export.selected_timeframe_start"] = ["export.selected_timeframe_start must not be given: the schedule's timeframe sets them for each run."],
            ["export.destination.password"] =
            [
                "SFTP needs export.destination.password or export.destination.savedKey (the name of a key held by the service): give exactly one of them.",
            ],
        }));
    }

    [Test]
    public void Messages_never_quote_a_value()
    {
        var body = Body();
        body["name"] = new string('s', 90) + "\nsecret-name";
        body["cron"] = "secret-cron * * * *";
        body["timeZone"] = "secret/zone";
        Export(body)["destination"]!["port"] = "secret-port";

        var messages = ErrorsOf(body).SelectMany(e => e.Value).ToList();

        Assert.That(messages, Has.Count.EqualTo(4));
        Assert.That(messages, Has.None.Contains("secret"));
    }

    [TestCase("", TestName = "An empty body is refused as a whole")]
    [TestCase("{\"name\": ", TestName = "Malformed JSON is refused as a whole")]
    [TestCase("[]", TestName = "A root array is refused as a whole")]
    public void A_body_that_is_not_an_object_is_refused_under_the_root(string json)
    {
        var (request, errors) = Parser().Parse(Encoding.UTF8.GetBytes(json));

        Assert.That(request, Is.Null);
        Assert.That(errors.ToDictionary().Keys, Is.EqualTo(new[] { ExportRequestParser.BodyPath }));
    }

    [Test]
    public async Task A_saved_sftp_key_is_checked_for_the_account_that_creates_the_schedule()
    {
        // A settings key held for demo only. Its name has an underscore, which no key created through the API can
        // have, so for globex it is unknown without asking the key table (this parser has no storage).
        const string keyName = "feed_key";
        var settings = ExampleSavedKey.Settings();
        settings[$"Sftp:SavedKeys:{keyName}"] = settings[$"Sftp:SavedKeys:{ExampleSavedKey.Name}"];
        settings[$"Sftp:SavedKeyHosts:{keyName}"] = ExampleSavedKey.Host;
        settings[$"Sftp:SavedKeyAccounts:{keyName}"] = TestAccounts.Demo;
        using var services = new ServiceCollection()
            .AddDestinations(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
        var parser = Parser(services.GetRequiredService<DestinationKinds>());
        var body = Body("sftp-saved-key.json");
        Export(body)["destination"]!["savedKey"] = keyName;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());

        // Reading the body does no I/O and accepts it; the check then asks for the account's key.
        Assert.That(parser.Parse(bytes).Errors.ToDictionary(), Is.Empty);
        var (demo, demoErrors) = await parser.ParseAndCheckAsync(bytes, TestAccounts.DemoId, CancellationToken.None);
        Assert.That(demoErrors.ToDictionary(), Is.Empty);
        Assert.That(((SftpSettings)demo!.Export.Destination).SavedKey, Is.EqualTo(keyName));

        var (other, otherErrors) = await parser.ParseAndCheckAsync(bytes, TestAccounts.OtherId, CancellationToken.None);
        Assert.That(other, Is.Null);
        Assert.That(otherErrors.ToDictionary(), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["export.destination.savedKey"] =
            [
                "export.destination.savedKey names no key held by the service: create one with POST /v2/sftpkeys (GET /v2/sftpkeys lists them).",
            ],
        }));
    }

    [Test]
    public async Task A_saved_sftp_key_bound_to_another_host_is_refused_by_the_check_under_export()
    {
        var body = Body("sftp-saved-key.json");
        Export(body)["destination"]!["server"] = "sftp.other.example";

        var (request, errors) = await Parser().ParseAndCheckAsync(Encoding.UTF8.GetBytes(body.ToJsonString()), TestAccounts.DemoId, CancellationToken.None);

        Assert.That(request, Is.Null);
        Assert.That(errors.ToDictionary().Keys, Is.EqualTo(new[] { "export.destination.savedKey" }));
    }
}
