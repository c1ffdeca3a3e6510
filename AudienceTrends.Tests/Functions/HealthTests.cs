using System.Net;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// <c>GET /v2/health</c> (anonymous: the status alone) and <c>GET /v2/health/details</c> (operators): 200 when storage,
/// every queue and SQL answer, 503 when one does not, with the oldest queued job's age for operators.
/// </summary>
public sealed class HealthTests
{
    [Test]
    public async Task A_healthy_app_answers_200_with_the_status_alone_to_anyone_and_the_details_to_operators()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        using var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json")); // its message waits

        using var anonymous = await host.AnonymousClient.GetAsync("v2/health");
        using var details = await host.AnonymousClient.GetAsync("v2/health/details"); // the host's master key guards it in Azure
        var report = await details.JsonAsync();

        var jobs = settings["Jobs:QueueName"]!;
        var hooks = settings["Webhooks:QueueName"]!;
        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymous.Content.ReadAsStringAsync().Result, Is.EqualTo("""{"status":"healthy"}"""), "nothing but the status");
            Assert.That(anonymous.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(details.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(report["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(report["checks"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["healthy"]!.GetValue<bool>())),
                Is.EqualTo(new[] { ("storage", true), ("queues", true), ("sql", true) }));
            Assert.That(report["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()), Is.EqualTo(new[]
            {
                jobs, jobs + "-poison", jobs + "-poison-poison", hooks, hooks + "-poison", hooks + "-poison-poison",
            }));
            Assert.That(report["queues"]![0]!["depth"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(report["oldestQueuedJobAgeSeconds"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(0).And.LessThan(3600),
                "the job's message is waiting");
        });
    }

    [Test]
    public async Task An_unreachable_database_makes_it_503_naming_the_check_to_operators_only()
    {
        var settings = await TestApp.SettingsAsync(seedDemoData: false);
        settings["Database:ConnectionString"] = $"Data Source={Path.Combine(TempFolders.Create("audiencetrends-nodb-"), "missing", "x.db")};Mode=ReadOnly";
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        using var anonymous = await host.AnonymousClient.GetAsync("v2/health");
        using var details = await host.AnonymousClient.GetAsync("v2/health/details");
        var report = await details.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(anonymous.Content.ReadAsStringAsync().Result, Is.EqualTo("""{"status":"unhealthy"}"""), "nothing but the status");
            Assert.That(details.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(report["checks"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["healthy"]!.GetValue<bool>(), c["detail"]!.GetValue<string>())),
                Is.EqualTo(new[]
                {
                    ("storage", true, $"table {settings["Jobs:TableName"]} answers (not created yet)"),
                    ("queues", true, "6 queues answer"),
                    ("sql", false, "unreachable (SqliteException)"),
                }));
            Assert.That(report["oldestQueuedJobAgeSeconds"], Is.Null, "no job waits");
            Assert.That(logs.AllText, Does.Contain("Health check sql failed"), "why, for operators, in the logs");
        });
    }
}
