using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// A job's encrypted credentials are kept only while it may still run: every final state clears them from the row
/// (Azurite; s3rver and a refused FTP port as destinations).
/// </summary>
[StartsProcesses] // its own s3rver
public sealed class JobSecretsLifetimeTests
{
    private readonly S3ServerFixture _s3 = new();

    [OneTimeSetUp]
    public Task StartS3Async() => _s3.StartAsync();

    [OneTimeTearDown]
    public Task StopS3Async() => _s3.StopAsync();

    [Test]
    public async Task A_done_job_keeps_no_credentials()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;

        var (job, row) = await RunAsync(host, settings, HttpJson.Example("s3.json"));

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        Assert.That(row.GetString("EncryptedSecrets"), Is.Null.Or.Empty);
    }

    [Test]
    public async Task A_job_failed_for_good_keeps_no_credentials()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var body = JsonNode.Parse(HttpJson.Example("s3.json"))!;
        body["destination"]!["aws_secret_access_key"] = "not-the-right-secret";

        var (job, row) = await RunAsync(host, settings, body.ToJsonString());

        Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("destination_auth_failed"), job.ToJsonString());
        Assert.That(row.GetString("EncryptedSecrets"), Is.Null.Or.Empty);
    }

    [Test]
    public async Task A_job_whose_retries_ran_out_keeps_no_credentials()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;

        var (job, row) = await RunAsync(host, settings, FailureMessageTests.FtpBody(ServerProcess.FreeTcpPort()));

        Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"), job.ToJsonString());
        Assert.That(row.GetString("EncryptedSecrets"), Is.Null.Or.Empty);
    }

    [Test]
    public async Task A_job_that_could_not_be_queued_keeps_no_credentials()
    {
        var settings = await TestApp.SettingsAsync();
        await using var proxy = SwitchableTcpProxy.ForQueues(settings);
        proxy.Refusing = true;
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.PostExportAsync(HttpJson.Example("s3.json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var jobId = (await response.JsonAsync())["jobId"]!.GetValue<string>();
        var row = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        Assert.That(row.GetString("EncryptedSecrets"), Is.Null.Or.Empty);
    }

    private async Task<(InProcessFunctionsHost Host, Dictionary<string, string?> Settings)> StartAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["S3:ServiceUrl"] = _s3.Url;
        settings["S3:ForcePathStyle"] = "true";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        return (host, settings);
    }

    private static async Task<(JsonNode Job, TableEntity Row)> RunAsync(
        InProcessFunctionsHost host, Dictionary<string, string?> settings, string body)
    {
        var created = await host.Client.PostExportAsync(body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
        var stored = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        Assert.That(stored.GetString("EncryptedSecrets"), Is.Not.Null.And.Not.Empty, "kept while the job may run");

        var job = await host.WaitForFinalJobAsync(jobId);
        return (job, (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value);
    }
}
