using System.Net;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// The marker each job of an account's partition has (Core/Jobs/ActiveJobIndex.cs): written with the row, changed in
/// the same transaction as the job's status, never listed as a job, and deleted by maintenance once the job ended, so
/// the per-account counts read only the jobs still running.
/// </summary>
public sealed class ActiveJobIndexTests
{
    [Test]
    public async Task A_jobs_marker_follows_its_status_stays_out_of_lists_and_is_deleted_by_maintenance_once_it_ended()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var table = host.JobTable(settings);
        using var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();

        Assert.That(await MarkersAsync(table), Is.EqualTo(new[] { ($"~active~{jobId}", "Pending") }));
        var listed = await (await host.Client.GetAsync("v2/jobs")).JsonAsync();
        Assert.That(listed.AsArray().Select(j => j!["jobId"]!.GetValue<string>()), Is.EqualTo(new[] { jobId }), "the marker is no job");

        await host.WaitForFinalJobAsync(jobId);
        Assert.That(await MarkersAsync(table), Is.EqualTo(new[] { ($"~active~{jobId}", "Done") }), "changed with the final transition");

        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        Assert.That(await MarkersAsync(table), Is.Empty, "an ended job's marker goes");
        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), "the job itself stays for its retention");
    }

    private static async Task<List<(string RowKey, string? Status)>> MarkersAsync(TableClient table)
    {
        var markers = new List<(string, string?)>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == TestAccounts.Demo && r.RowKey.CompareTo("~") > 0))
        {
            markers.Add((row.RowKey, row.GetString("Status")));
        }

        return markers;
    }
}
