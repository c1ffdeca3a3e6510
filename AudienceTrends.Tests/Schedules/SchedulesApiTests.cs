using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The schedules API as a client meets it: what a create answers, the 400 that names each refused field, secrets kept
/// out of every answer and row, delete, and another account that finds nothing of the first's.
/// </summary>
public sealed class SchedulesApiTests
{
    private const string Password = "sftp-pa55-Word";

    private static readonly DateTimeOffset Now = Utc(2021, 8, 17, 12, 0);

    [Test]
    public async Task Create_answers_201_with_the_schedule_its_defaults_and_its_next_three_runs_in_utc_and_local_time()
    {
        var (host, _) = await StartAsync(new FakeTimeProvider(Now));
        await using var _ = host;

        using var response = await host.Client.PostAsync("v2/schedules", HttpJson.Body(Body()));
        var schedule = await response.JsonAsync();
        var id = schedule.Id();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/v2/schedules/{id}"));
            Assert.That(schedule["name"]!.GetValue<string>(), Is.EqualTo("Warehouse feed"));
            Assert.That((schedule["cron"]!.GetValue<string>(), schedule["timeZone"]!.GetValue<string>()), Is.EqualTo(("0 6 * * *", "America/Los_Angeles")));
            Assert.That(schedule["timeframe"]!.ToJsonString(), Is.EqualTo("""{"lastDays":30,"endDaysAgo":1}"""));
            Assert.That((schedule["overlap"]!.GetValue<string>(), schedule["catchUp"]!.GetValue<string>(), schedule["suspendAfterFailures"]!.GetValue<int>()),
                Is.EqualTo(("skip", "latest", 3)));
            Assert.That((schedule["state"]!.GetValue<string>(), schedule["consecutiveFailures"]!.GetValue<int>()), Is.EqualTo(("Active", 0)));
            Assert.That(schedule["lastRun"], Is.Null);
            Assert.That(schedule["nextRuns"]!.AsArray().Select(r => r!["utc"]!.GetValue<DateTimeOffset>()),
                Is.EqualTo(new[] { Utc(2021, 8, 17, 13, 0), Utc(2021, 8, 18, 13, 0), Utc(2021, 8, 19, 13, 0) }));
            Assert.That(schedule["nextRuns"]![0]!["local"]!.GetValue<string>(), Is.EqualTo("2021-08-17T06:00:00-07:00"));
            Assert.That(schedule["export"]!["destination"]!.ToJsonString(), Is.EqualTo("""{"type":"aws"}"""));
            Assert.That(schedule["export"]!["audiences"]!.ToJsonString(), Is.EqualTo("""["audience1","audience2"]"""));
        });

        var read = await host.GetScheduleAsync(id);
        var listed = await (await host.Client.GetAsync("v2/schedules")).JsonAsync();
        Assert.That(read.ToJsonString(), Is.EqualTo(schedule.ToJsonString()));
        Assert.That(listed.AsArray().Select(s => s!.Id()), Is.EqualTo(new[] { id }));
    }

    [TestCase("cron", "0 0 6 * * *", "cron")]
    [TestCase("cron", "*/5 * * * *", "cron")]
    [TestCase("cron", "0 6 31 2 *", "cron")]
    [TestCase("timeZone", "Mars/Olympus_Mons", "timeZone")]
    [TestCase("overlap", "sometimes", "overlap")]
    [TestCase("catchUp", "everything", "catchUp")]
    [TestCase("suspendAfterFailures", 0, "suspendAfterFailures")]
    [TestCase("timeframe", """{"lastDays": 367, "endDaysAgo": 1}""", "timeframe.lastDays")]
    [TestCase("timeframe", """{"lastDays": 7, "endDaysAgo": -1}""", "timeframe.endDaysAgo")]
    [TestCase("export.name", "no spaces allowed", "export.name")]
    [TestCase("export.exportType", "xlsx", "export.exportType")]
    [TestCase("export.selected_timeframe_start", "2021-07-16", "export.selected_timeframe_start")]
    [TestCase("export.audiences", """["audience1", "no-such-audience"]""", "export.audiences[1]")]
    [TestCase("export.destination", """{"type": "sftp", "port": 22, "username": "feed", "password": "x"}""", "export.destination.server")]
    [TestCase("export.webhook", """{"url": "https://no-such-host.invalid/hooks", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}""", "export.webhook.url")]
    public async Task A_refused_field_gets_400_naming_it(string field, object value, string errorKey)
    {
        var (host, _) = await StartAsync(new FakeTimeProvider(Now));
        await using var _ = host;
        var body = JsonNode.Parse(Body())!.AsObject();
        var parent = field.StartsWith("export.", StringComparison.Ordinal) ? body["export"]!.AsObject() : body;
        var name = field.StartsWith("export.", StringComparison.Ordinal) ? field["export.".Length..] : field;
        parent[name] = value is string text && text.TrimStart().StartsWith('{') || value is string array && array.StartsWith('[')
            ? JsonNode.Parse((string)value)
            : JsonValue.Create(value);

        using var response = await host.Client.PostAsync("v2/schedules", HttpJson.Body(body.ToJsonString()));
        var problem = await response.JsonAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { errorKey }), problem.ToJsonString());
        Assert.That(problem["errors"]![errorKey]![0]!.GetValue<string>(), Does.StartWith(errorKey == "export.audiences[1]" ? "Unknown audience" : errorKey));
        Assert.That(await (await host.Client.GetAsync("v2/schedules")).JsonAsync(), Is.Empty, "nothing was created");
    }

    [TestCase("""{"from": "2021-08-10T00:00:00Z", "to": "2021-08-18T00:00:00Z"}""", "to")]
    [TestCase("""{"from": "2021-08-12T00:00:00Z", "to": "2021-08-10T00:00:00Z"}""", "from")]
    [TestCase("""{"from": "2021-05-01T00:00:00Z", "to": "2021-05-02T00:00:00Z"}""", "from")]
    [TestCase("""{"from": "2021-08-01T00:00:00Z", "to": "2021-08-17T00:00:00Z"}""", "to")]
    [TestCase("""{"from": "last week", "to": "2021-08-17T00:00:00Z"}""", "from")]
    [TestCase("""["2021-08-01T00:00:00Z"]""", "$")]
    public async Task A_refused_backfill_range_gets_400_naming_the_field(string range, string errorKey)
    {
        var (host, _) = await StartAsync(new FakeTimeProvider(Now), new Dictionary<string, string?> { ["Schedules:MaxBackfillSlots"] = "10" });
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();

        using var response = await host.Client.PostAsync($"v2/schedules/{id}/backfill", HttpJson.Body(range));
        var problem = await response.JsonAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { errorKey }), problem.ToJsonString());
        Assert.That(await host.RunsAsync(id), Is.Empty);
    }

    [Test]
    public async Task Secrets_are_in_no_answer_and_only_encrypted_in_the_row()
    {
        var (host, settings) = await StartAsync(new FakeTimeProvider(Now));
        await using var _ = host;
        var export = ScheduleTestApp.Export();
        export["destination"] = JsonNode.Parse($$"""{"type": "sftp", "server": "127.0.0.1", "port": 22, "username": "feed", "password": "{{Password}}", "path": "/in"}""");
        export["webhook"] = new JsonObject { ["url"] = "http://127.0.0.1:9/hooks?token=receiver-token", ["secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };

        var created = await host.CreateScheduleAsync(Body(export: export));
        var answers = new[]
        {
            created.ToJsonString(),
            (await host.GetScheduleAsync(created.Id())).ToJsonString(),
            (await (await host.Client.GetAsync("v2/schedules")).JsonAsync()).ToJsonString(),
        };
        var row = (await host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(settings["Schedules:TableName"])
            .GetEntityAsync<TableEntity>(TestAccounts.Demo, created.Id())).Value;
        var columns = string.Join("\n", row.Select(c => $"{c.Key}={c.Value}"));

        foreach (var text in answers.Append(columns))
        {
            Assert.That(text, Does.Not.Contain(Password).And.Not.Contain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").And.Not.Contain("receiver-token"));
        }

        Assert.That(created["export"]!["webhook"]!["url"]!.GetValue<string>(), Is.EqualTo("http://127.0.0.1:9/hooks"));
        Assert.That(row.GetString("EncryptedSecrets"), Is.Not.Empty);
    }

    [Test]
    public async Task Another_account_finds_nothing_of_a_schedule_and_delete_keeps_its_past_runs()
    {
        var (host, settings) = await StartAsync(new FakeTimeProvider(Now));
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();
        using var ran = await host.Client.PostAsync($"v2/schedules/{id}/run");
        var jobId = (await ran.JsonAsync())["jobId"]!.GetValue<string>();

        var unknown = await AnswersAsync(host.OtherClient, "sch_00000000000000000000000000000000");
        var others = await AnswersAsync(host.OtherClient, id);
        Assert.That(others.Select(a => (a.Status, a.Body.Replace(id, "ID"))),
            Is.EqualTo(unknown.Select(a => (a.Status, a.Body.Replace("sch_00000000000000000000000000000000", "ID")))), "exactly as an id that does not exist");
        Assert.That(others.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await (await host.OtherClient.GetAsync("v2/schedules")).JsonAsync(), Is.Empty);
        Assert.That(await host.RunsAsync(id, host.OtherClient), Is.Empty);
        Assert.That((await host.GetScheduleAsync(id))["state"]!.GetValue<string>(), Is.EqualTo("Active"), "the other account's pause and delete did nothing");

        using var deleted = await host.Client.DeleteAsync($"v2/schedules/{id}");
        using var gone = await host.Client.GetAsync($"v2/schedules/{id}");
        using var job = await host.Client.GetAsync($"v2/jobs/{jobId}");
        var rows = host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(settings["Schedules:TableName"]).QueryAsync<TableEntity>();
        Assert.Multiple(async () =>
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(job.StatusCode, Is.EqualTo(HttpStatusCode.OK), "its past run stays");
            Assert.That(await rows.ToListAsync(), Is.Empty, "the row, with its encrypted secrets, is gone");
        });
    }

    [Test]
    public async Task A_scheduleId_filter_that_no_schedule_can_have_gets_400()
    {
        var (host, _) = await StartAsync(new FakeTimeProvider(Now));
        await using var _ = host;
        using var response = await host.Client.GetAsync("v2/jobs?scheduleId=a%27%20or%20true");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "scheduleId" }));
    }

    private static async Task<List<(HttpStatusCode Status, string Body)>> AnswersAsync(HttpClient client, string id)
    {
        var answers = new List<(HttpStatusCode, string)>();
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, ""), (HttpMethod.Post, "/pause"), (HttpMethod.Post, "/resume"), (HttpMethod.Post, "/run"),
                     (HttpMethod.Post, "/backfill"), (HttpMethod.Delete, ""),
                 })
        {
            using var request = new HttpRequestMessage(method, $"v2/schedules/{id}{path}");
            if (method == HttpMethod.Post)
            {
                request.Content = HttpJson.Body("""{"from": "2021-08-10T00:00:00Z", "to": "2021-08-12T00:00:00Z"}""");
            }

            using var response = await client.SendAsync(request);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        return answers;
    }
}
