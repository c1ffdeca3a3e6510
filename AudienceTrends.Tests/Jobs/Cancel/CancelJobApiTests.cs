using System.Net;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Jobs.Cancel;

/// <summary><c>POST /v2/jobs/{id}/cancel</c> through the real HTTP function, for each state a job can be in.</summary>
public sealed class CancelJobApiTests
{
    [Test]
    public async Task A_pending_job_is_cancelled_at_once_and_its_queue_message_then_does_nothing()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);

        var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var answered = await cancel.JsonAsync();
        Assert.That(answered["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
        Assert.That(answered["times"]!["end"], Is.Not.Null);

        await host.DrainQueuesAsync();

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.Zero, "the message did not start the export");
            Assert.That(host.QueueFailures, Is.Empty);
        });
        var listed = await (await host.Client.GetAsync("v2/jobs?status=cancelled")).JsonAsync();
        Assert.That(listed.AsArray().Select(j => j!["jobId"]!.GetValue<string>()), Is.EqualTo(new[] { jobId }), "the list filters by Cancelled");
    }

    [Test]
    public async Task Cancelling_a_cancelled_job_again_answers_200_with_the_job()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);
        await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);

        var again = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await again.JsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
    }

    [Test]
    public async Task A_done_job_cannot_be_cancelled_409()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);
        await host.DrainQueuesAsync();

        var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(cancel.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await cancel.JsonAsync();
        Assert.That(problem["jobStatus"]!.GetValue<string>(), Is.EqualTo("Done"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("already Done"));
        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), "the file stays");
    }

    [Test]
    public async Task A_failed_job_cannot_be_cancelled_409()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await CancelTestJobs.CreateAsync(host.Client);
        var table = host.JobTable(settings);
        var row = (await table.GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        row["Status"] = JobStatus.Failed;
        await table.UpdateEntityAsync(row, row.ETag);

        var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await cancel.JsonAsync())["jobStatus"]!.GetValue<string>(), Is.EqualTo("Failed"));
    }

    [TestCase("0123456789abcdef01234567")]
    [TestCase("not-a-job-id")]
    public async Task An_unknown_job_is_a_404_problem(string id)
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var cancel = await host.Client.PostAsync($"v2/jobs/{id}/cancel", null);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(cancel.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
