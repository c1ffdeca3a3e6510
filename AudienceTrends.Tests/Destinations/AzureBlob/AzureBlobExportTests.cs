using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace AudienceTrends.Tests.Destinations.AzureBlob;

/// <summary>An <c>azureblob</c> export through the app: intake, the job row, the worker, the customer's container.</summary>
public class AzureBlobExportTests
{
    [Test]
    public async Task An_export_lands_in_the_customers_container_and_the_sas_is_kept_only_encrypted()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var container = new BlobServiceClient((await Azurite.InstanceAsync()).ConnectionString)
            .GetBlobContainerClient("customer-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        var sas = AzureBlobDestinationTests.Sas(container);

        using var created = await host.Client.PostExportAsync(Body(container.Uri.ToString(), sas, "/reports//"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
        var job = await host.WaitForFinalJobAsync(jobId);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        var stored = (await container.GetBlobClient("reports/audiencetrends.csv").DownloadContentAsync()).Value.Content.ToArray();
        Assert.That(stored, Is.EqualTo(expected));
        Assert.That(job["destination"]!.ToJsonString(), Is.EqualTo(
            new JsonObject { ["type"] = "azureblob", ["container_url"] = container.Uri.ToString(), ["path"] = "/reports//" }.ToJsonString()));
        Assert.That(job["result"]!["location"]!.GetValue<string>(), Is.EqualTo($"{container.Uri}/reports/audiencetrends.csv"));

        var signature = sas[(sas.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        var row = await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId);
        Assert.That(string.Join('\n', row.Value.Select(p => p.Value?.ToString())), Does.Not.Contain(signature));
        Assert.That(logs.AllText, Does.Not.Contain(signature));
    }

    [TestCase("ftp://myaccount.blob.core.windows.net/exports", "destination.container_url")]
    [TestCase("http://myaccount.blob.core.windows.net/exports", "destination.container_url")]
    [TestCase("https://myaccount.blob.core.windows.net/exports?sv=1&sig=x", "destination.container_url")]
    [TestCase("https://myaccount.blob.core.windows.net/", "destination.container_url")]
    [TestCase("https://myaccount.blob.core.windows.net/Exports", "destination.container_url")]
    [TestCase("https://myaccount.blob.core.windows.net/a/b", "destination.container_url")]
    [TestCase("not a url", "destination.container_url")]
    public async Task A_bad_container_url_is_refused_naming_the_field(string url, string field) =>
        Assert.That(await ErrorKeysAsync(Body(url, "sv=2025-01-05&sr=c&sp=cw&sig=abc")), Is.EqualTo(new[] { field }));

    [TestCase("sv=2025-01-05&sr=c&sp=cw")]
    [TestCase("")]
    [TestCase("sv=2025 01 05&sig=abc")]
    public async Task A_sas_token_without_a_signature_is_refused_naming_the_field_and_not_echoed(string token)
    {
        var settings = await TestApp.SettingsAsync();
        await using var host = (await TestApp.StartInProcessAsync(settings)).Host;

        using var response = await host.Client.PostExportAsync(Body("https://myaccount.blob.core.windows.net/exports", token));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(answer)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "destination.sas_token" }));
        if (token.Length > 0)
        {
            Assert.That(answer, Does.Not.Contain(token));
        }
    }

    [Test]
    public async Task Missing_fields_are_each_named() =>
        Assert.That(await ErrorKeysAsync("""
            {"name": "audiencetrends", "destination": {"type": "azureblob"},
             "selected_timeframe_start": "2021-07-16", "selected_timeframe_end": "2021-08-16", "audiences": ["audience1"]}
            """), Is.EquivalentTo(new[] { "destination.container_url", "destination.sas_token" }));

    private static async Task<IReadOnlyList<string>> ErrorKeysAsync(string body)
    {
        var settings = await TestApp.SettingsAsync();
        await using var host = (await TestApp.StartInProcessAsync(settings)).Host;
        using var response = await host.Client.PostExportAsync(body);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer);
        return JsonNode.Parse(answer)!["errors"]!.AsObject().Select(e => e.Key).ToList();
    }

    private static string Body(string containerUrl, string sasToken, string? path = null)
    {
        var body = JsonNode.Parse(HttpJson.Example("azureblob.json"))!.AsObject();
        var destination = body["destination"]!.AsObject();
        destination["container_url"] = containerUrl;
        destination["sas_token"] = sasToken;
        destination["path"] = path;
        return body.ToJsonString();
    }
}
