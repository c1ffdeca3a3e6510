using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Export;

public class GzipExportTests
{
    [Test]
    public async Task A_gzip_download_decompresses_to_the_csv_and_is_served_as_application_gzip()
    {
        var settings = await TestApp.SettingsAsync();
        var (job, expected) = await GzipExport.RunAsync(settings, "ui-download.json");

        using var http = new HttpClient();
        using var download = await http.GetAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
        var stored = await download.Content.ReadAsByteArrayAsync();

        GzipExport.AssertStored(job, stored, expected);
        Assert.That(download.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/gzip"));
        Assert.That(download.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Is.EqualTo("audiencetrends.csv.gz"));
    }

    [TestCase("zip")]
    [TestCase("")]
    [TestCase("gzip ")]
    public async Task An_unknown_compression_is_refused_naming_the_field(string compression)
    {
        var body = JsonNode.Parse(HttpJson.Example("ui-download.json"))!.AsObject();
        body["compression"] = compression;
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;

        using var response = await host.Client.PostExportAsync(body.ToJsonString());
        var answer = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer);
        Assert.That(JsonNode.Parse(answer)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "compression" }));
    }

    [TestCase("none", "audiencetrends.csv")]
    [TestCase("GZIP", "audiencetrends.csv.gz")]
    public async Task Compression_none_or_gzip_in_any_case_is_accepted(string compression, string fileName)
    {
        var body = JsonNode.Parse(HttpJson.Example("ui-download.json"))!.AsObject();
        body["compression"] = compression;
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        using var created = await host.Client.PostExportAsync(body.ToJsonString());
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.That(job["result"]!["fileName"]!.GetValue<string>(), Is.EqualTo(fileName));
    }
}
