using System.Net;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Jobs.Cancel;

/// <summary>The cancels that meet a worker at an awkward moment: one finishing, one gone.</summary>
public sealed class CancelRaceTests
{
    [Test]
    public async Task An_export_that_finishes_before_its_heartbeat_sees_the_cancel_ends_Done_and_a_second_cancel_says_so()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Jobs:ProgressInterval"] = "00:01:00"; // no heartbeat during the test: the export finishes first
        PausingTrendSource? source = null;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<IAudienceTrendSource>(sp =>
            source = new PausingTrendSource(ActivatorUtilities.CreateInstance<SqlAudienceTrendSource>(sp), pauseAfter: 1)));
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);
        var worker = Task.Run(() => host.DrainQueuesAsync());
        while (source is null)
        {
            await Task.Delay(50);
        }

        await source.Paused;

        var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        source.Resume();
        await worker;

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        Assert.That(job["result"]!["rows"]!.GetValue<long>(), Is.EqualTo(2), "the complete file stays");
        var again = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await again.JsonAsync())["detail"]!.GetValue<string>(), Does.Contain("finished before the cancel took effect"));
    }

    [Test]
    public async Task A_job_asked_to_cancel_whose_worker_died_is_cancelled_by_its_next_message()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);
        var table = host.JobTable(settings);
        var row = (await table.GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        row["Status"] = JobStatus.Processing;
        row["Attempts"] = 1;
        row["LeaseUntil"] = DateTimeOffset.UtcNow.AddMinutes(-1);
        row["CancelRequestedAt"] = DateTimeOffset.UtcNow.AddMinutes(-2);
        await table.UpdateEntityAsync(row, ETag.All);

        await host.DrainQueuesAsync();

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(1), "not claimed again");
            Assert.That(job["times"]!["end"], Is.Not.Null);
        });
    }
}
