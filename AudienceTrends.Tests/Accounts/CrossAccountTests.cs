using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// The account boundary from the attacker's side: a second account (<see cref="TestAccounts.Other"/>, with a valid key
/// of its own) tries every jobs route on the first account's job. Each attempt answers exactly as for a job that does
/// not exist, and lists never show it.
/// </summary>
public sealed class CrossAccountTests
{
    [Test]
    public async Task Another_accounts_job_answers_404_like_an_unknown_id_on_get_and_cancel_and_stays_as_it_was()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        var jobId = await CreateAsync(host.Client);
        var unknownId = Core.Jobs.JobIds.New(DateTimeOffset.UtcNow);

        using var get = await host.OtherClient.GetAsync($"v2/jobs/{jobId}");
        using var getUnknown = await host.OtherClient.GetAsync($"v2/jobs/{unknownId}");
        using var cancel = await host.OtherClient.PostAsync($"v2/jobs/{jobId}/cancel", null);
        using var cancelUnknown = await host.OtherClient.PostAsync($"v2/jobs/{unknownId}/cancel", null);

        Assert.Multiple(async () =>
        {
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await ProblemAsync(get, jobId), Is.EqualTo(await ProblemAsync(getUnknown, unknownId)), "no existence oracle on get");
            Assert.That(await ProblemAsync(cancel, jobId), Is.EqualTo(await ProblemAsync(cancelUnknown, unknownId)), "no existence oracle on cancel");
        });

        var own = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.That(own["status"]!.GetValue<string>(), Is.EqualTo("Pending"), "the other account's cancel changed nothing");
    }

    [Test]
    public async Task Lists_show_only_the_callers_jobs_whatever_the_filters_and_page_token()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        var ids = new[] { await CreateAsync(host.Client), await CreateAsync(host.Client), await CreateAsync(host.Client) };

        foreach (var query in new[] { "", "?status=Pending", "?jobName=audiencetrendsexport", "?limit=1" })
        {
            Assert.That(await IdsAsync(host.OtherClient, "v2/jobs" + query), Is.Empty, $"the other account lists nothing for '{query}'");
        }

        Assert.That(await IdsAsync(host.Client, "v2/jobs"), Is.EquivalentTo(ids));
        using var firstPage = await host.Client.GetAsync("v2/jobs?limit=1");
        var token = firstPage.Headers.GetValues(JobsFunctions.ContinuationHeader).Single();
        Assert.That(await IdsAsync(host.OtherClient, $"v2/jobs?limit=1&continuationToken={token}"), Is.Empty,
            "the owner's page token reads nothing of the owner's in the other account's list");
    }

    [Test]
    public async Task Rows_and_messages_carry_the_account_and_a_finished_jobs_file_and_link_are_under_it()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CreateAsync(host.Client);

        var messages = (await host.JobQueue(settings).PeekMessagesAsync(32)).Value.Select(m => m.MessageText).ToList();
        var row = (await host.JobTable(settings).GetEntityIfExistsAsync<TableEntity>(TestAccounts.Demo, jobId)).HasValue;
        Assert.Multiple(() =>
        {
            Assert.That(QueuedJobs.Of(messages), Is.EqualTo(new[] { $"demo/{jobId}" }));
            Assert.That(row, Is.True, "the row is in the account's partition");
        });

        var job = await host.WaitForFinalJobAsync(jobId);
        var link = new Uri(job["result"]!["downloadUrl"]!.GetValue<string>());
        Assert.That(link.AbsolutePath, Does.EndWith($"/{TestAccounts.Demo}/{jobId}/audiencetrends.csv"));
        using var other = await host.OtherClient.GetAsync($"v2/jobs/{jobId}");
        Assert.That(await other.Content.ReadAsStringAsync(), Does.Not.Contain("downloadUrl").And.Not.Contain("sig="),
            "no link to the owner's file for another account");
    }

    [Test]
    public async Task Each_accounts_webhook_event_carries_its_own_job_and_nothing_of_the_other_accounts()
    {
        var settings = await Webhooks.WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync(_ => 200);
        var secret = Webhooks.WebhookTestApp.NewSecret();
        var demoJob = await CreateAsync(host.Client, Webhooks.WebhookTestApp.ExportWith(receiver.Url + "&to=demo", secret));
        var otherJob = await CreateAsync(host.OtherClient, HttpJson.WithAudiences(
            Webhooks.WebhookTestApp.ExportWith(receiver.Url + "&to=globex", secret), ["globex_customers"]));

        await Webhooks.WebhookTestApp.WaitForWebhookAsync(host, demoJob, receiver, requests: 2);
        await host.DrainQueuesAsync();

        var events = receiver.Received.ToDictionary(r => r.PathAndQuery.EndsWith("&to=demo", StringComparison.Ordinal) ? "/demo" : "/globex", r => r.Body);
        Assert.That(receiver.Received.Select(r => r.PathAndQuery[r.PathAndQuery.LastIndexOf('&')..]), Is.EquivalentTo(new[] { "&to=demo", "&to=globex" }));
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.Parse(events["/demo"])!["data"]!["jobId"]!.GetValue<string>(), Is.EqualTo(demoJob));
            Assert.That(JsonNode.Parse(events["/globex"])!["data"]!["jobId"]!.GetValue<string>(), Is.EqualTo(otherJob));
            Assert.That(events["/globex"], Does.Not.Contain(demoJob).And.Not.Contain("audience2").And.Not.Contain(TestAccounts.Demo + "/"),
                "the other account's event names nothing of the first account's");
            Assert.That(events["/demo"], Does.Not.Contain(otherJob).And.Not.Contain("globex"));
        });
    }

    [Test]
    public async Task The_same_idempotency_key_from_two_accounts_is_two_keys()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        using var first = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"), idempotencyKey: "nightly-2026-12-03");
        using var replay = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"), idempotencyKey: "nightly-2026-12-03");
        using var other = await host.OtherClient.PostExportAsync(HttpJson.Example("ui-download.json"), idempotencyKey: "nightly-2026-12-03");

        var firstId = (await first.JsonAsync())["jobId"]!.GetValue<string>();
        Assert.Multiple(async () =>
        {
            Assert.That((await replay.JsonAsync())["jobId"]!.GetValue<string>(), Is.EqualTo(firstId), "the owner's replay");
            Assert.That(await other.Content.ReadAsStringAsync(), Does.Not.Contain(firstId),
                "the other account never gets the owner's job back, nor a conflict telling the key is in use");
            Assert.That(other.StatusCode, Is.Not.EqualTo(HttpStatusCode.Conflict));
        });
    }

    [Test]
    public async Task An_account_at_its_active_job_limit_gets_429_with_retry_after_and_its_finished_jobs_free_places()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Jobs:MaxActivePerAccount"] = "2";
        settings["Jobs:MaxRunningPerAccount"] = "1";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        await CreateAsync(host.Client);
        await CreateAsync(host.Client);

        using var refused = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        var problem = await refused.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("2 exports pending or processing"));
        });

        await host.DrainQueuesAsync();
        using var afterwards = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "finished jobs do not count");
    }

    [Test]
    public async Task No_key_or_secret_reaches_a_log_a_row_a_message_or_a_response_after_its_creation()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var key = host.Keys.Demo;
        ApiKeyText.TryParse(key, out var keyId, out var secret);
        Assert.That(keyId, Is.Not.Empty);
        var spellings = new[]
        {
            key, key[("atk_".Length + 24 + 1)..], Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")),
            Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexStringLower(secret),
        };

        var answers = new StringBuilder();
        var jobId = await CreateAsync(host.Client);
        answers.Append(await host.Client.GetStringAsync($"v2/jobs/{jobId}"));
        answers.Append(await host.Client.GetStringAsync("v2/jobs"));
        using (var bearer = new HttpRequestMessage(HttpMethod.Get, $"v2/jobs/{jobId}"))
        {
            bearer.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            using var viaBearer = await host.AnonymousClient.SendAsync(bearer);
            answers.Append(await viaBearer.Content.ReadAsStringAsync());
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "v2/jobs"))
        {
            wrong.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key[..^1] + "x");
            using var refused = await host.AnonymousClient.SendAsync(wrong);
            answers.Append(await refused.Content.ReadAsStringAsync());
        }

        var messages = string.Join("\n", (await host.JobQueue(settings).PeekMessagesAsync(32)).Value.Select(m => m.MessageText));
        var rows = new StringBuilder();
        await foreach (var row in host.JobTable(settings).QueryAsync<TableEntity>())
        {
            rows.AppendJoin('\n', row.Select(p => $"{p.Key}={p.Value}"));
        }

        await foreach (var row in host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(settings["Accounts:AccountsTableName"]).QueryAsync<TableEntity>())
        {
            rows.AppendJoin('\n', row.Select(p => $"{p.Key}={p.Value}"));
        }

        Assert.Multiple(() =>
        {
            foreach (var spelling in spellings)
            {
                Assert.That(logs.AllText, Does.Not.Contain(spelling), "logs");
                Assert.That(answers.ToString(), Does.Not.Contain(spelling), "responses");
                Assert.That(messages, Does.Not.Contain(spelling), "queue messages");
                Assert.That(rows.ToString(), Does.Not.Contain(spelling), "job and account rows");
            }
        });
    }

    private static async Task<string> CreateAsync(HttpClient client, string? body = null)
    {
        using var created = await client.PostExportAsync(body ?? HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        return (await response.JsonAsync()).AsArray().Select(j => j!["jobId"]!.GetValue<string>()).ToList();
    }

    /// <summary>The problem with the id it names replaced and the per-request trace id removed: what tells one case from another.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, string id)
    {
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString().Replace(id, "<id>", StringComparison.Ordinal);
    }
}
