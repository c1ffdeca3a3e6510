using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Core.Storage;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>The app under test with an events queue of its own and retries in seconds, and requests that carry a webhook.</summary>
public static class WebhookTestApp
{
    public static async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Webhooks:MaxAttempts"] = "5";
        settings["Webhooks:RetryBaseDelay"] = "00:00:01";
        settings["Webhooks:RetryMaxDelay"] = "00:00:04";
        return settings;
    }

    public static string NewSecret() =>
        WebhookSignature.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The UI download example with <c>webhook</c> added.</summary>
    public static string ExportWith(string url, string secret, string example = "ui-download.json")
    {
        var body = JsonNode.Parse(HttpJson.Example(example))!.AsObject();
        body["webhook"] = new JsonObject { ["url"] = url, ["secret"] = secret };
        return body.ToJsonString();
    }

    public static async Task<string> CreateAsync(this InProcessFunctionsHost host, string body)
    {
        using var created = await host.Client.PostExportAsync(body);
        var answer = await created.Content.ReadAsStringAsync();
        Assert.That(created.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted), answer);
        return JsonNode.Parse(answer)!["jobId"]!.GetValue<string>();
    }

    public static async Task<JsonNode> GetJobAsync(this InProcessFunctionsHost host, string jobId) =>
        await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();

    /// <summary>
    /// Lets queued work run (retries become visible after their delay) until the job's webhook is no longer Pending
    /// or the receiver has <paramref name="requests"/> requests; the job as GET shows it then.
    /// </summary>
    public static async Task<JsonNode> WaitForWebhookAsync(
        this InProcessFunctionsHost host, string jobId, WebhookReceiver receiver, int requests = int.MaxValue)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            await host.DrainQueuesAsync();
            var job = await host.GetJobAsync(jobId);
            if (job["webhook"]!["status"]!.GetValue<string>() != "Pending" || receiver.Received.Count >= requests)
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The webhook of job {jobId} is still Pending: {job.ToJsonString()}");
            }

            await Task.Delay(100);
        }
    }

    public static async Task<TableEntity> RowAsync(this InProcessFunctionsHost host, IDictionary<string, string?> settings, string jobId) =>
        (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;

    public static QueueClient EventsQueue(this InProcessFunctionsHost host, IDictionary<string, string?> settings) =>
        host.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(settings["Webhooks:QueueName"]);

    /// <summary>GET's job, and a webhook's data, without what legitimately differs between two reads.</summary>
    public static JsonNode Comparable(JsonNode job)
    {
        var copy = job.DeepClone().AsObject();
        copy.Remove("webhook");
        if (copy["result"] is JsonObject result)
        {
            result.Remove("downloadUrl");
            result.Remove("downloadUrlExpiresAt");
        }

        return copy;
    }
}
