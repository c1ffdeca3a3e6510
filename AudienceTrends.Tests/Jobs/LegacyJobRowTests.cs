using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// Rows written before destinations kept their settings as one JSON column (one column per field, and the SFTP host
/// key in a result column of its own) stay readable: the jobs API shows them as before and the worker delivers them.
/// </summary>
public sealed class LegacyJobRowTests
{
    private const string Fingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    [Test]
    public async Task Old_rows_of_every_destination_type_read_as_before_through_the_jobs_api()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Accounts:LegacyAccount"] = TestAccounts.Demo; // the old rows are the default client's
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var table = host.JobTable(settings);
        await table.CreateIfNotExistsAsync();

        var sftp = await AddOldRowAsync(table, "sftp", "Done", new()
        {
            ["DestinationServer"] = "example.com",
            ["DestinationPort"] = 22,
            ["DestinationUsername"] = "username",
            ["DestinationHostKeyFingerprint"] = Fingerprint,
            ["DestinationPath"] = "/exports",
            ["ResultHostKeyFingerprint"] = Fingerprint,
        });
        var ftp = await AddOldRowAsync(table, "ftp", "Failed", new()
        {
            ["DestinationServer"] = "ftp.example.com",
            ["DestinationPort"] = 21,
            ["DestinationUsername"] = "username",
            ["DestinationSecure"] = true,
            ["ErrorCode"] = "destination_rejected",
            ["ErrorMessage"] = "FTPS is not supported.",
        });
        var s3 = await AddOldRowAsync(table, "s3", "Pending", new()
        {
            ["DestinationBucket"] = "my_bucket",
            ["DestinationRegion"] = "us-west-2",
            ["DestinationPath"] = "folder",
        });
        var gcs = await AddOldRowAsync(table, "gcs", "Pending", new()
        {
            ["DestinationBucket"] = "bucketname",
            ["DestinationPath"] = "/audiencetrendsexport",
        });
        var managed = await AddOldRowAsync(table, "aws", "Done", new());

        var sftpView = await GetJobAsync(host, sftp);
        var ftpView = await GetJobAsync(host, ftp);
        var s3View = await GetJobAsync(host, s3);
        var gcsView = await GetJobAsync(host, gcs);
        var managedView = await GetJobAsync(host, managed);
        Assert.Multiple(() =>
        {
            AssertJson(sftpView["destination"], $$"""
                {"type":"sftp","server":"example.com","port":22,"username":"username","hostKeyFingerprint":"{{Fingerprint}}","path":"/exports"}
                """);
            Assert.That(sftpView["result"]!["hostKeyFingerprint"]!.GetValue<string>(), Is.EqualTo(Fingerprint));
            Assert.That(sftpView["result"]!["location"]!.GetValue<string>(), Is.EqualTo("sftp://example.com:22/exports/audiencetrends.csv"));
            AssertJson(ftpView["destination"], """{"type":"ftp","server":"ftp.example.com","port":21,"username":"username","secure":true}""");
            Assert.That(ftpView["error"]!["code"]!.GetValue<string>(), Is.EqualTo("destination_rejected"));
            AssertJson(s3View["destination"], """{"type":"s3","aws_bucket":"my_bucket","aws_region":"us-west-2","path":"folder"}""");
            AssertJson(gcsView["destination"], """{"type":"gcs","gcs_bucket":"bucketname","path":"/audiencetrendsexport"}""");
            AssertJson(managedView["destination"], """{"type":"aws"}""");
            Assert.That(managedView["result"]!["downloadUrl"]!.GetValue<string>(), Does.Contain(managed + "/audiencetrends.csv"));
        });

        var listed = (await (await host.Client.GetAsync("v2/jobs")).JsonAsync()).AsArray();
        Assert.That(listed.Select(j => j!["destination"]!["type"]!.GetValue<string>()), Is.EquivalentTo(new[] { "sftp", "ftp", "s3", "gcs", "aws" }));
    }

    [Test]
    public async Task An_old_pending_row_is_delivered_by_the_worker_and_saved_in_the_current_shape()
    {
        await using var gcs = await GcsEmulator.StartAsync();
        var bucket = gcs.AddBucket();
        var settings = await TestApp.SettingsAsync();
        settings["Accounts:LegacyAccount"] = TestAccounts.Demo; // the old rows are the default client's
        settings["Gcs:BaseUri"] = gcs.BaseUri;
        settings["Gcs:UnauthenticatedAccess"] = "true";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var table = host.JobTable(settings);
        await table.CreateIfNotExistsAsync();
        var jobId = await AddOldRowAsync(table, "gcs", "Pending", new()
        {
            ["DestinationBucket"] = bucket,
            ["DestinationPath"] = "old//folder/",
        });
        var requests = host.Services.GetRequiredService<StorageClients>().Blobs.GetBlobContainerClient(JobsOptions.RequestsContainer);
        await requests.CreateIfNotExistsAsync();
        await requests.GetBlobClient(jobId + ".json").UploadAsync(BinaryData.FromString("""["audience1","audience2"]"""));

        await host.InvokeAsync(nameof(ExportWorkerFunction.ProcessExportJob), new Dictionary<string, object?> { ["message"] = jobId });

        var row = (await table.GetEntityAsync<TableEntity>(ExportJob.LegacyPartition, jobId)).Value;
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("Status"), Is.EqualTo("Done"), row.GetString("ErrorMessage"));
            Assert.That(row.GetString("ResultLocation"), Is.EqualTo($"gs://{bucket}/old/folder/audiencetrends.csv"));
            Assert.That(gcs.Objects.Keys, Is.EqualTo(new[] { $"{bucket}/old/folder/audiencetrends.csv" }));
            Assert.That(gcs.Objects.Values.Single().Bytes.Length, Is.EqualTo(row.GetInt64("ResultBytes")));
            Assert.That(row.GetString("Destination"), Is.EqualTo($"gs://{bucket}/old/folder"));
            AssertJson(JsonNode.Parse(row.GetString("DestinationSettings")), $$"""{"gcs_bucket":"{{bucket}}","path":"old//folder/"}""");
            Assert.That(row.Keys, Has.None.EqualTo("DestinationBucket").And.None.EqualTo("DestinationPath"), "the old columns are gone");
        });
    }

    [Test]
    public void Secrets_encrypted_in_the_old_payload_shape_are_read_by_their_kind()
    {
        var protector = new SecretProtector(Microsoft.Extensions.Options.Options.Create(
            new SecretProtectionOptions { Key = TestApp.EncryptionKey }));
        var kinds = AppDestinationKinds.Instance;

        var s3 = protector.Protect(new OldSecretsPayload(null, "AKIA1234567890", "secret/key+1"), "job-1");
        var ftp = protector.Protect(new OldSecretsPayload("pass word", null, null), "job-2");

        Assert.That(kinds.Find("s3").ReadSecrets(protector.Unprotect(s3, "job-1")),
            Is.EqualTo(new S3Secrets { AccessKeyId = "AKIA1234567890", SecretAccessKey = "secret/key+1" }));
        Assert.That(kinds.Find("ftp").ReadSecrets(protector.Unprotect(ftp, "job-2")),
            Is.EqualTo(new FileServerSecrets { Password = "pass word" }));
    }

    /// <summary>A row exactly as the code before destination kinds wrote it (null columns are never stored).</summary>
    private static async Task<string> AddOldRowAsync(TableClient table, string type, string status, Dictionary<string, object> columns)
    {
        var now = DateTimeOffset.UtcNow;
        var id = JobIds.New(now);
        var row = new TableEntity(ExportJob.LegacyPartition, id)
        {
            ["JobName"] = "audiencetrendsexport",
            ["Name"] = "audiencetrends",
            ["ExportType"] = "csv",
            ["Status"] = status,
            ["DestinationType"] = type,
            ["DestinationSecure"] = false,
            ["FirstDay"] = "2021-07-16",
            ["LastDay"] = "2021-08-16",
            ["TotalItems"] = 2,
            ["CompletedItems"] = status == "Done" ? 2 : 0,
            ["CreatedAt"] = now,
            ["Attempts"] = status == "Pending" ? 0 : 1,
        };
        if (status is "Done" or "Failed")
        {
            row["StartedAt"] = now;
            row["EndedAt"] = now;
        }

        if (status == "Done")
        {
            row["ResultRows"] = 2L;
            row["ResultBytes"] = 100L;
            row["ResultSha256"] = new string('a', 64);
            row["ResultFileName"] = "audiencetrends.csv";
            row["ResultLocation"] = type == "sftp" ? "sftp://example.com:22/exports/audiencetrends.csv" : $"http://127.0.0.1:10000/devstoreaccount1/exports/{id}/audiencetrends.csv";
        }

        foreach (var (key, value) in columns)
        {
            row[key] = value;
        }

        await table.AddEntityAsync(row);
        return id;
    }

    private static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(JsonNode.DeepEquals(actual, JsonNode.Parse(expected)), Is.True, $"{actual?.ToJsonString()} is not {expected}");

    private static async Task<JsonNode> GetJobAsync(InProcessFunctionsHost host, string id)
    {
        var response = await host.Client.GetAsync($"v2/jobs/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    /// <summary>The secrets payload as the code before destination kinds encrypted it: every field of every type.</summary>
    private sealed record OldSecretsPayload(string? Password, string? AwsAccessKeyId, string? AwsSecretAccessKey) : DestinationSecrets
    {
        protected override bool HasValues => true;
    }
}
