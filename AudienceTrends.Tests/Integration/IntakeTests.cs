using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Integration;

/// <summary>POST /v2/audiencetrendsexport against a real Azurite: what lands in the table and on the queue, and what the client is told.</summary>
public sealed class IntakeTests
{
    private const string Password = "pw-Zebra-7f3a9c-never-log-me";
    private const string AccessKeyId = "AKIA-Quokka-51c2e8";
    private const string SecretKey = "secret-Narwhal-0d4b77-never-log-me";

    [TestCase("ui-download.json", "aws")]
    [TestCase("sftp.json", "sftp")]
    [TestCase("s3.json", "s3")]
    [TestCase("gcs.json", "gcs")]
    [TestCase("ftp.json", "ftp")]
    [TestCase("sftp-saved-key.json", "sftp")]
    public async Task Each_example_body_creates_a_job_row_and_a_message_and_reads_back(string example, string type)
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.PostExportAsync(HttpJson.Example(example));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var body = await response.JsonAsync();
        var jobId = body["jobId"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v2/jobs/{jobId}"));
            Assert.That(body["jobName"]!.GetValue<string>(), Is.EqualTo("audiencetrendsexport"));
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("Pending"));
            Assert.That(body["destination"]!["type"]!.GetValue<string>(), Is.EqualTo(type));
        });

        var row = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("Status"), Is.EqualTo("Pending"));
            Assert.That(row.GetString("Name"), Is.EqualTo("audiencetrends"));
            Assert.That(row.GetString("DestinationType"), Is.EqualTo(type));
            Assert.That(row.GetInt32("TotalItems"), Is.EqualTo(2));
            Assert.That(row.GetString("FirstDay"), Is.EqualTo("2021-07-16"));
        });

        var messages = (await host.JobQueue(settings).PeekMessagesAsync(32)).Value;
        Assert.That(QueuedJobs.Of(messages.Select(m => m.MessageText)), Does.Contain($"demo/{jobId}"),
            "the queue holds a message naming the account and the job, and nothing else");

        var read = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(read["jobId"]!.GetValue<string>(), Is.EqualTo(jobId));
            Assert.That(read["name"]!.GetValue<string>(), Is.EqualTo("audiencetrends"));
            Assert.That(read["totalItems"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(read["completedItems"]!.GetValue<int>(), Is.EqualTo(0));
            Assert.That(read["times"]!["created"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Secrets_never_reach_the_rows_clear_columns_the_message_the_responses_or_the_logs()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var sftp = HttpJson.Example("sftp.json").Replace("\"password\"", $"\"password\"", StringComparison.Ordinal);
        var sftpBody = JsonNode.Parse(sftp)!;
        sftpBody["destination"]!["password"] = Password;
        var s3Body = JsonNode.Parse(HttpJson.Example("s3.json"))!;
        s3Body["destination"]!["aws_access_key_id"] = AccessKeyId;
        s3Body["destination"]!["aws_secret_access_key"] = SecretKey;

        var seen = new StringBuilder();
        foreach (var body in new[] { sftpBody, s3Body })
        {
            var created = await host.Client.PostExportAsync(body.ToJsonString());
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
            seen.Append(await created.Content.ReadAsStringAsync());
            seen.Append(await host.Client.GetStringAsync($"v2/jobs/{jobId}"));

            var row = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
            Assert.That(row.GetString("EncryptedSecrets"), Is.Not.Null.And.Not.Empty, "the credentials are kept, encrypted");
            foreach (var (key, value) in row)
            {
                seen.Append(key).Append('=').Append(value).Append('\n');
            }
        }

        seen.Append(await host.Client.GetStringAsync("v2/jobs"));
        foreach (var message in (await host.JobQueue(settings).PeekMessagesAsync(32)).Value)
        {
            seen.Append(message.MessageText);
        }

        var everything = seen + logs.AllText;
        Assert.That(logs.Lines, Is.Not.Empty, "the app logged the intake");
        foreach (var secret in new[] { Password, AccessKeyId, SecretKey })
        {
            Assert.That(everything, Does.Not.Contain(secret));
        }
    }

    [Test]
    public async Task Invalid_body_gets_a_problem_listing_every_field()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.PostExportAsync("""
            {"name": "bad name!", "destination": {"type": "s3", "aws_bucket": "b"},
             "selected_timeframe_start": "2021-08-20", "selected_timeframe_end": "2021-08-17", "audiences": ["audience1", ""]}
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.SupersetOf(new[]
        {
            "name", "destination.aws_access_key_id", "destination.aws_secret_access_key", "destination.aws_bucket",
            "destination.aws_region", "selected_timeframe_end", "audiences[1]",
        }));
    }

    [Test]
    public async Task Unknown_audiences_are_rejected_at_intake_naming_each()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.PostExportAsync(
            HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), ["audience1", "audeince2", "no_such_audience"]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EquivalentTo(new[] { "audiences[1]", "audiences[2]" }));
        Assert.That(errors["audiences[1]"]!.ToJsonString(), Does.Contain("audeince2"));
    }

    [Test]
    public async Task Malformed_json_oversized_body_and_wrong_content_type_get_clear_4xx()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Intake:MaxBodyBytes"] = "2048";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var malformed = await host.Client.PostExportAsync("{\"name\": \"x\",\n \"audiences\": [");
        Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await malformed.JsonAsync())["errors"]!["$"]!.ToJsonString(), Does.Contain("line"));

        var big = HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), Enumerable.Range(0, 300).Select(i => $"audience{i}"));
        var tooLarge = await host.Client.PostExportAsync(big);
        Assert.That(tooLarge.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        var text = await host.Client.PostAsync("v2/audiencetrendsexport", HttpJson.Body(HttpJson.Example("ui-download.json"), "text/plain"));
        Assert.That(text.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(text.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task When_the_queue_is_unreachable_the_job_is_marked_failed_and_the_client_gets_503()
    {
        var settings = await TestApp.SettingsAsync();
        var closedPort = Infrastructure.ServerProcess.FreeTcpPort();
        settings["AzureWebJobsStorage"] = System.Text.RegularExpressions.Regex.Replace(
            settings["AzureWebJobsStorage"]!, @"QueueEndpoint=http://127\.0\.0\.1:\d+", $"QueueEndpoint=http://127.0.0.1:{closedPort}");
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var jobId = (await response.JsonAsync())["jobId"]!.GetValue<string>();
        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"));
            Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("enqueue_failed"));
        });
    }

    [Test]
    public async Task Same_idempotency_key_and_body_returns_the_same_job_and_a_different_body_conflicts()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var key = "key-" + Guid.NewGuid();
        var body = HttpJson.Example("ui-download.json");

        var first = await host.Client.PostExportAsync(body, key);
        var again = await host.Client.PostExportAsync(body, key);
        var different = await host.Client.PostExportAsync(HttpJson.WithAudiences(body, ["audience1"]), key);
        var otherKey = await host.Client.PostExportAsync(body, key + "-2");

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var firstId = (await first.JsonAsync())["jobId"]!.GetValue<string>();
        Assert.That((await again.JsonAsync())["jobId"]!.GetValue<string>(), Is.EqualTo(firstId));
        Assert.That(different.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await different.JsonAsync())["detail"]!.GetValue<string>(), Does.Contain("Idempotency-Key"));
        Assert.That((await otherKey.JsonAsync())["jobId"]!.GetValue<string>(), Is.Not.EqualTo(firstId));

        var jobs = (await (await host.Client.GetAsync("v2/jobs")).JsonAsync()).AsArray();
        Assert.That(jobs, Has.Count.EqualTo(2), "the replay created no second job");
    }
}
