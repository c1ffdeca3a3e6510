using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// POST → queue → worker → managed download storage (Azurite) → the download link the jobs API hands out, on the
/// real Functions host when <c>func</c> is installed and on the in-process stand-in otherwise.
/// </summary>
public sealed class ManagedExportEndToEndTests
{
    private static readonly DateOnly D1 = new(2024, 3, 1);

    [Test]
    public async Task Reference_download_example_is_exported_and_downloads_the_expected_bytes()
    {
        var settings = await TestApp.SettingsAsync();
        await using var host = await FunctionsTestHost.StartAsync(settings);

        var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();

        var job = await host.WaitForFinalJobAsync(jobId);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        var downloaded = await DownloadAsync(job);
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        Assert.That(downloaded, Is.EqualTo(expected));
        var result = job["result"]!;
        Assert.Multiple(() =>
        {
            Assert.That(job["completedItems"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(result["rows"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(result["bytes"]!.GetValue<long>(), Is.EqualTo(expected.Length));
            Assert.That(result["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(expected))));
            Assert.That(result["fileName"]!.GetValue<string>(), Is.EqualTo("audiencetrends.csv"));
            Assert.That(job["times"]!["end"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Download_link_is_read_only_and_private_storage_refuses_anonymous_reads()
    {
        var settings = await TestApp.SettingsAsync();
        await using var host = await FunctionsTestHost.StartAsync(settings);
        var jobId = (await (await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"))).JsonAsync())["jobId"]!.GetValue<string>();
        var job = await host.WaitForFinalJobAsync(jobId);
        var url = new Uri(job["result"]!["downloadUrl"]!.GetValue<string>());

        using var http = new HttpClient();
        var overwrite = await http.PutAsync(url, new ByteArrayContent([1, 2, 3]));
        var anonymous = await http.GetAsync(url.GetLeftPart(UriPartial.Path));

        Assert.That(overwrite.IsSuccessStatusCode, Is.False, "the link cannot write");
        Assert.That(anonymous.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "the container is not public");
        Assert.That(job["result"]!["location"]!.GetValue<string>(), Does.Not.Contain("sig="), "no signature is stored");
    }

    [Test]
    public async Task Edge_cases_one_day_missing_days_no_data_quoting_and_formula_names()
    {
        string[] audiences =
        [
            "plain", "gaps", "never_measured", "zeroes", "comma, \"quoted\" name", "=HYPERLINK(\"http://x\")", "+plus", "-minus",
            "@at", " padded ",
        ];
        var rows = new List<(string, DateOnly, long)>
        {
            ("plain", D1, 10), ("plain", D1.AddDays(1), 11), ("plain", D1.AddDays(2), 12),
            ("gaps", D1, 5), ("gaps", D1.AddDays(2), 7),
            ("zeroes", D1, 0), ("zeroes", D1.AddDays(1), 0),
        };
        rows.AddRange(audiences.Skip(4).Select(a => (a, D1.AddDays(1), 42L)));
        var database = TestDatabase.Create(audiences, rows);
        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        await using var host = await FunctionsTestHost.StartAsync(settings);

        // Three days, every audience, in an order that is not alphabetical.
        var requested = audiences.Reverse().ToArray();
        Assert.That(await ExportAsync(host, requested, D1, D1.AddDays(2)),
            Is.EqualTo(TestDatabase.ExpectedCsv(database, requested, D1, D1.AddDays(2))));

        // One audience, one day.
        Assert.That(await ExportAsync(host, ["gaps"], D1.AddDays(1), D1.AddDays(1)),
            Is.EqualTo(TestDatabase.ExpectedCsv(database, ["gaps"], D1.AddDays(1), D1.AddDays(1))));
        Assert.That(System.Text.Encoding.UTF8.GetString(await ExportAsync(host, ["gaps"], D1.AddDays(1), D1.AddDays(1))),
            Is.EqualTo("audience,2024-03-02\r\ngaps,\r\n"), "a day without a figure is an empty cell");
    }

    [Test]
    public async Task Five_thousand_audiences_export_in_request_order()
    {
        var audiences = Enumerable.Range(0, 5000).Select(i => $"segment_{(i * 7919) % 5000:D4}").ToArray();
        var rows = audiences.SelectMany((a, i) => Enumerable.Range(0, 7).Where(d => (i + d) % 3 != 0).Select(d => (a, D1.AddDays(d), (long)(i * 10 + d))));
        var database = TestDatabase.Create(audiences, rows);
        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        settings["Intake:MaxAudiences"] = "5000";
        await using var host = await FunctionsTestHost.StartAsync(settings);

        var csv = await ExportAsync(host, audiences, D1, D1.AddDays(6));

        Assert.That(csv, Is.EqualTo(TestDatabase.ExpectedCsv(database, audiences, D1, D1.AddDays(6))));
    }

    private static async Task<byte[]> ExportAsync(IFunctionsTestHost host, IReadOnlyList<string> audiences, DateOnly first, DateOnly last)
    {
        var body = HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), audiences,
            first.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            last.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var created = await host.Client.PostExportAsync(body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        return await DownloadAsync(job);
    }

    private static async Task<byte[]> DownloadAsync(JsonNode job)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
    }
}
