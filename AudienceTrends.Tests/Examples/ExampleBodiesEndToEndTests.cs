using System.Net;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Examples;

/// <summary>
/// The example bodies, sent exactly as they are in examples/, from POST to the file on the destination server,
/// compared byte for byte with the CSV built independently from the demo data. These run on the in-process host
/// because the examples' host names must resolve to the local test servers (<see cref="ExampleServers.Resolver"/>).
/// </summary>
public sealed class ExampleBodiesEndToEndTests
{
    [TestCase("sftp.json", "audiencetrends.csv", "sftp://example.com:21/audiencetrends.csv")]
    [TestCase("sftp-saved-key.json", "exports/audiencetrends.csv", "sftp://sftp.example.com:2222/exports/audiencetrends.csv")]
    [TestCase("ftp.json", "exports/audiencetrends.csv", "ftp://ftp.example.com:21/exports/audiencetrends.csv")]
    public async Task Example_body_is_delivered_to_its_server_byte_for_byte(string example, string file, string location)
    {
        var delivered = Path.Combine(ExampleServers.Home, file);
        if (File.Exists(delivered))
        {
            File.Delete(delivered);
        }

        var settings = await TestApp.SettingsAsync();
        settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.0/8";
        settings[$"Sftp:SavedKeys:{ExampleServers.SavedKeyName}"] = ExampleServers.SavedPrivateKey;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton(ExampleServers.Resolver));
        await using var _ = host;

        var created = await host.Client.PostExportAsync(HttpJson.Example(example));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        Assert.That(await File.ReadAllBytesAsync(delivered), Is.EqualTo(expected));
        Assert.That(job["result"]!["location"]!.GetValue<string>(), Is.EqualTo(location));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(delivered)!).Select(Path.GetFileName), Is.EqualTo(new[] { Path.GetFileName(file) }),
            "no temporary file is left beside it");
        if (example.StartsWith("sftp", StringComparison.Ordinal))
        {
            Assert.That(job["result"]!["hostKeyFingerprint"]!.GetValue<string>(), Does.StartWith("SHA256:"), "the observed host key is recorded");
        }
    }

    [Test]
    public async Task A_refused_login_fails_the_job_at_once_naming_the_destination_and_not_the_password()
    {
        const string WrongPassword = "Wrong-Pw-3e9a41";
        var settings = await TestApp.SettingsAsync();
        settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.0/8";
        var (host, logs) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton(ExampleServers.Resolver));
        await using var _ = host;
        var body = System.Text.Json.Nodes.JsonNode.Parse(HttpJson.Example("sftp.json"))!;
        body["destination"]!["password"] = WrongPassword;

        var created = await host.Client.PostExportAsync(body.ToJsonString());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"));
            Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("destination_auth_failed"));
            Assert.That(job["error"]!["message"]!.GetValue<string>(), Does.Contain("example.com:21"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(1), "not retried: a retry cannot fix it");
            Assert.That(host.QueueFailures, Is.Empty);
            Assert.That(job.ToJsonString() + logs.AllText, Does.Not.Contain(WrongPassword));
        });
    }

    [Test]
    public async Task S3_example_body_is_delivered_to_its_bucket_byte_for_byte()
    {
        var settings = await TestApp.SettingsAsync();
        settings["S3:ServiceUrl"] = ExampleServers.S3.Url;
        settings["S3:ForcePathStyle"] = "true";

        var (job, expected) = await ExportAsync(settings, "s3.json");

        using var client = ExampleServers.S3.Client();
        using var stored = await client.GetObjectAsync("my_bucket", "folder/audiencetrends.csv");
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.That(bytes.ToArray(), Is.EqualTo(expected));
        Assert.That(job["result"]!["location"]!.GetValue<string>(), Is.EqualTo("s3://my_bucket/folder/audiencetrends.csv"));
    }

    [Test]
    public async Task Gcs_example_body_is_delivered_to_its_bucket_byte_for_byte()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Gcs:BaseUri"] = ExampleServers.Gcs.BaseUri;
        settings["Gcs:UnauthenticatedAccess"] = "true";

        var (job, expected) = await ExportAsync(settings, "gcs.json");

        Assert.That(ExampleServers.Gcs.Objects["bucketname/audiencetrendsexport/audiencetrends.csv"].Bytes, Is.EqualTo(expected));
        Assert.That(job["result"]!["location"]!.GetValue<string>(), Is.EqualTo("gs://bucketname/audiencetrendsexport/audiencetrends.csv"));
    }

    private static async Task<(System.Text.Json.Nodes.JsonNode Job, byte[] Expected)> ExportAsync(Dictionary<string, string?> settings, string example)
    {
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var created = await host.Client.PostExportAsync(HttpJson.Example(example));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        return (job, TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16)));
    }
}
