using AudienceTrends.Core.Jobs;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Integration;

/// <summary>GET /v2/jobs and /v2/jobs/{id} against Azurite: order, filters, paging, fresh download links, errors.</summary>
public sealed class JobsApiTests
{
    [Test]
    public async Task Jobs_are_listed_newest_first_filtered_and_paged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings, s => s.AddSingleton<TimeProvider>(time));
        await using var _ = host;
        var ids = new List<string>();
        var started = new List<DateTimeOffset>();
        for (var i = 0; i < 3; i++)
        {
            var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
            ids.Add((await created.JsonAsync())["jobId"]!.GetValue<string>());
            time.Advance(TimeSpan.FromMinutes(10));
            started.Add(time.GetUtcNow());
            await host.InvokeAsync(nameof(ExportWorkerFunction.ProcessExportJob), new Dictionary<string, object?> { ["message"] = new JobMessage(TestAccounts.DemoId, ids[^1]).ToText() });
        }

        time.Advance(TimeSpan.FromMinutes(10));
        var pending = (await (await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"))).JsonAsync())["jobId"]!.GetValue<string>();
        ids.Add(pending);
        ids.Reverse(); // newest first

        Assert.That(await ListAsync(host, ""), Is.EqualTo(ids));
        Assert.That(await ListAsync(host, "?status=Pending"), Is.EqualTo(new[] { pending }));
        Assert.That(await ListAsync(host, "?status=done"), Is.EqualTo(ids.Skip(1)));
        Assert.That(await ListAsync(host, "?jobName=audiencetrendsexport"), Is.EqualTo(ids));
        Assert.That(await ListAsync(host, "?jobName=contactsexport"), Is.Empty);
        var second = Uri.EscapeDataString(started[1].ToString("O", CultureInfo.InvariantCulture));
        Assert.That(await ListAsync(host, $"?times[start][gte]={second}"), Is.EqualTo(ids.Take(3).Skip(1)));
        Assert.That(await ListAsync(host, $"?times[start][gt]={second}"), Is.EqualTo(ids.Skip(1).Take(1)));
        Assert.That(await ListAsync(host, $"?times[start][lt]={second}"), Is.EqualTo(ids.TakeLast(1)));
        Assert.That(await ListAsync(host, $"?times[start][lte]={second}&status=Done"), Is.EqualTo(ids.TakeLast(2)));

        var firstPage = await host.Client.GetAsync("v2/jobs?limit=3");
        var token = firstPage.Headers.GetValues(JobsFunctions.ContinuationHeader).Single();
        Assert.That(Ids(await firstPage.JsonAsync()), Is.EqualTo(ids.Take(3)));
        Assert.That(firstPage.Headers.GetValues("Link").Single(), Does.Contain("continuationToken=" + token).And.Contain("rel=\"next\""));
        var withKey = await host.Client.GetAsync("v2/jobs?limit=3&code=function-key-secret&jobName=audiencetrendsexport&extra=x");
        Assert.That(withKey.Headers.GetValues("Link").Single(),
            Does.Not.Contain("function-key-secret").And.Not.Contain("code=").And.Not.Contain("extra")
                .And.Contain("limit=3").And.Contain("jobName=audiencetrendsexport"),
            "the next-page link carries the filters, never the function key");
        var lastPage = await host.Client.GetAsync($"v2/jobs?limit=3&continuationToken={token}");
        Assert.That(Ids(await lastPage.JsonAsync()), Is.EqualTo(ids.Skip(3)));
        Assert.That(lastPage.Headers.Contains(JobsFunctions.ContinuationHeader), Is.False, "the last page says there is no more");
    }

    [TestCase("status=Finished", "status")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=101", "limit")]
    [TestCase("times[start][gt]=yesterday", "times[start][gt]")]
    [TestCase("continuationToken=not-a-token", "continuationToken")]
    public async Task A_bad_filter_gets_a_problem_naming_the_parameter(string query, string parameter)
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.GetAsync($"v2/jobs?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { parameter }));
    }

    [TestCase("0123456789abcdef01234567")]
    [TestCase("not-a-job-id")]
    public async Task An_unknown_job_is_a_404_problem(string id)
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var response = await host.Client.GetAsync($"v2/jobs/{id}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Each_read_of_a_done_job_signs_a_fresh_download_link_that_works()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = await TestApp.SettingsAsync();
        settings["ManagedStorage:DownloadUrlLifetime"] = "00:10:00";
        var (host, _) = await TestApp.StartInProcessAsync(settings, s => s.AddSingleton<TimeProvider>(time));
        await using var _ = host;
        var jobId = (await (await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"))).JsonAsync())["jobId"]!.GetValue<string>();
        await host.DrainQueuesAsync();

        var first = (await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["result"]!;
        time.Advance(TimeSpan.FromMinutes(3));
        var second = (await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["result"]!;

        Assert.That(second["downloadUrl"]!.GetValue<string>(), Is.Not.EqualTo(first["downloadUrl"]!.GetValue<string>()));
        Assert.That(second["downloadUrlExpiresAt"]!.GetValue<DateTimeOffset>() - first["downloadUrlExpiresAt"]!.GetValue<DateTimeOffset>(),
            Is.EqualTo(TimeSpan.FromMinutes(3)), "each link expires its lifetime after it was handed out");
        using var http = new HttpClient();
        var a = await http.GetByteArrayAsync(first["downloadUrl"]!.GetValue<string>());
        var b = await http.GetByteArrayAsync(second["downloadUrl"]!.GetValue<string>());
        Assert.That(b, Is.EqualTo(a).And.Length.EqualTo(first["bytes"]!.GetValue<long>()));
    }

    private static async Task<IReadOnlyList<string>> ListAsync(Infrastructure.InProcessFunctionsHost host, string query)
    {
        var response = await host.Client.GetAsync($"v2/jobs{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return Ids(await response.JsonAsync());
    }

    private static List<string> Ids(JsonNode list) => list.AsArray().Select(j => j!["jobId"]!.GetValue<string>()).ToList();
}
