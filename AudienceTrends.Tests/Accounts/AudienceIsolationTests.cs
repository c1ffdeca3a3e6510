using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// Audience data is per account, through the HTTP API of the in-process host with the demo database: the demo
/// account (<c>host.Client</c>) owns <c>audience1</c>, <c>audience2</c>, ...; the other account, globex
/// (<c>host.OtherClient</c>), owns an <c>audience1</c> of its own with other figures and <c>globex_customers</c>.
/// </summary>
public sealed class AudienceIsolationTests
{
    private static readonly DateOnly First = new(2021, 7, 16);
    private static readonly DateOnly Last = new(2021, 8, 16);

    private Dictionary<string, string?> settings = null!;
    private InProcessFunctionsHost host = null!;

    [SetUp]
    public async Task StartApp()
    {
        settings = await TestApp.SettingsAsync();
        (host, _) = await TestApp.StartInProcessAsync(settings);
    }

    [TearDown]
    public async Task StopApp() => await host.DisposeAsync();

    [Test]
    public async Task Another_accounts_audience_is_unknown_at_intake_as_a_name_that_exists_nowhere()
    {
        var demoOnly = HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), ["audience2", "globex_customers"]);
        var nowhere = HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), ["no_such_audience", "globex_customers"]);

        using var refused = await host.OtherClient.PostExportAsync(demoOnly);
        using var refusedNowhere = await host.OtherClient.PostExportAsync(nowhere);
        var problem = await refused.JsonAsync();

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        var errors = problem["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { "audiences[0]" }), problem.ToJsonString());
        Assert.That(errors["audiences[0]"]![0]!.GetValue<string>(), Is.EqualTo("Unknown audience \"audience2\"."));
        Assert.That(refusedNowhere.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await refusedNowhere.JsonAsync())["errors"]!["audiences[0]"]![0]!.GetValue<string>(),
            Is.EqualTo("Unknown audience \"no_such_audience\"."),
            "the same answer: nothing says the name exists in another account");

        // The demo account's own audience2 is known to the demo account; the other account has no job at all.
        using var accepted = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        Assert.That(
            await host.JobTable(settings).QueryAsync<TableEntity>(e => e.PartitionKey == TestAccounts.Other).CountAsync(),
            Is.Zero);
    }

    [Test]
    public async Task An_audience_name_both_accounts_have_exports_each_accounts_own_figures()
    {
        var body = HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), ["audience1", "globex_customers"]);

        var otherCsv = await ExportAsync(host.OtherClient, body);
        var demoCsv = await ExportAsync(host.Client, HttpJson.Example("ui-download.json"));

        Assert.That(otherCsv, Is.EqualTo(ExpectedCsvOf(TestAccounts.Other, ["audience1", "globex_customers"])));
        Assert.That(demoCsv, Is.EqualTo(ExpectedCsvOf(TestAccounts.Demo, ["audience1", "audience2"])));
        Assert.That(
            Encoding.UTF8.GetString(otherCsv).Split("\r\n")[1],
            Is.Not.EqualTo(Encoding.UTF8.GetString(demoCsv).Split("\r\n")[1]),
            "audience1's figures differ between the accounts");
    }

    /// <summary>Creates the export as <paramref name="client"/>'s account, runs it and downloads the file.</summary>
    private async Task<byte[]> ExportAsync(HttpClient client, string body)
    {
        using var created = await client.PostExportAsync(body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
        JsonNode job;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        do
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"job {jobId} did not finish");
            await host.DrainQueuesAsync();
            using var read = await client.GetAsync($"v2/jobs/{jobId}");
            job = await read.JsonAsync();
        }
        while (job["status"]!.GetValue<string>() is not ("Done" or "Failed" or "Cancelled"));

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
    }

    /// <summary>The CSV built by hand from the account's rows in the database, read with plain SQL.</summary>
    private byte[] ExpectedCsvOf(string account, IReadOnlyList<string> audiences)
    {
        var figures = new Dictionary<(string Audience, DateOnly Day), long>();
        using var connection = new SqliteConnection($"Data Source={TestDatabase.PathOf(settings)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT audience_name, day, contact_count FROM audience_daily_size WHERE account_id = $account";
        query.Parameters.AddWithValue("$account", account);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            var day = DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            figures[(reader.GetString(0), day)] = reader.GetInt64(2);
        }

        return Export.ExpectedCsv.Build(audiences, First, Last, figures);
    }
}
