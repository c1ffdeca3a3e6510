using System.Net;
using System.Text.Json;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// Where a job's audience list is kept: a short one in the job's row (the intake writes no blob for it, the worker
/// reads none), a long one in a blob, and either way the export is the same file. A row without the column, as
/// older versions wrote, keeps its list in the blob: see
/// <see cref="LegacyJobRowTests.An_old_pending_row_is_delivered_by_the_worker_and_saved_in_the_current_shape"/>.
/// </summary>
public sealed class AudienceListTests
{
    private static readonly DateOnly D1 = new(2024, 3, 1);

    [Test]
    public async Task A_short_list_is_kept_in_the_row_without_a_blob_and_exports_the_expected_file()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var jobId = await CreateAsync(host, HttpJson.Example("ui-download.json"));

        var row = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        Assert.That(row.GetString("Audiences"), Is.EqualTo("""["audience1","audience2"]"""));
        Assert.That((await ListBlob(host, jobId).ExistsAsync()).Value, Is.False, "no audience-list blob for a short list");
        var view = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).Content.ReadAsStringAsync();
        Assert.That(view, Does.Not.Contain("audience1").And.Not.Contain("Audiences"), "the jobs API does not show the list");

        var job = await host.WaitForFinalJobAsync(jobId);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        Assert.That(await DownloadAsync(job), Is.EqualTo(
            TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16))));
    }

    [Test]
    public async Task A_list_too_long_for_the_row_goes_through_the_blob_and_exports_byte_for_byte()
    {
        // 800 names of 40 characters: about 34,000 characters of JSON, twice what the row keeps.
        var audiences = Enumerable.Range(0, 800).Select(i => $"a_rather_long_audience_segment_name_{(i * 7) % 800:D4}").ToArray();
        var rows = audiences.SelectMany((a, i) => Enumerable.Range(0, 3).Where(d => (i + d) % 4 != 0).Select(d => (a, D1.AddDays(d), (long)(i * 10 + d))));
        var database = TestDatabase.Create(audiences, rows);
        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        Assert.That(JsonSerializer.Serialize(audiences).Length, Is.GreaterThan(AudienceListStore.MaxInlineChars));

        var jobId = await CreateAsync(host, HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), audiences, "2024-03-01", "2024-03-03"));

        var row = (await host.JobTable(settings).GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;
        Assert.That(row.ContainsKey("Audiences") && row["Audiences"] is not null, Is.False, "a long list is not in the row");
        var stored = (await ListBlob(host, jobId).DownloadContentAsync()).Value.Content.ToObjectFromJson<string[]>();
        Assert.That(stored, Is.EqualTo(audiences));

        var job = await host.WaitForFinalJobAsync(jobId);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        Assert.That(await DownloadAsync(job), Is.EqualTo(TestDatabase.ExpectedCsv(database, audiences, D1, D1.AddDays(2))));
    }

    [Test]
    public async Task The_row_keeps_a_list_of_up_to_the_bound_and_one_character_more_goes_to_the_blob()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var lists = host.Services.GetRequiredService<AudienceListStore>();
        // ["…"] is the name and four characters.
        string[] atBound = [new('x', AudienceListStore.MaxInlineChars - 4)];
        string[] pastBound = [new('y', AudienceListStore.MaxInlineChars - 3)];
        var inRow = new ExportJob { Account = TestAccounts.DemoId, Id = JobIds.New(DateTimeOffset.UtcNow) };
        var inBlob = new ExportJob { Account = TestAccounts.DemoId, Id = JobIds.New(DateTimeOffset.UtcNow) };

        await lists.SaveAsync(inRow, atBound, CancellationToken.None);
        await lists.SaveAsync(inBlob, pastBound, CancellationToken.None);

        var rowBlobExists = (await ListBlob(host, inRow.Id).ExistsAsync()).Value;
        var loadedFromRow = await lists.LoadAsync(inRow, CancellationToken.None);
        var loadedFromBlob = await lists.LoadAsync(inBlob, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(inRow.Audiences, Has.Length.EqualTo(AudienceListStore.MaxInlineChars));
            Assert.That(rowBlobExists, Is.False);
            Assert.That(inBlob.Audiences, Is.Null);
            Assert.That(loadedFromRow, Is.EqualTo(atBound));
            Assert.That(loadedFromBlob, Is.EqualTo(pastBound));
        });
    }

    private static async Task<string> CreateAsync(Infrastructure.InProcessFunctionsHost host, string body)
    {
        var created = await host.Client.PostExportAsync(body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }

    private static BlobClient ListBlob(Infrastructure.InProcessFunctionsHost host, string jobId) =>
        host.Services.GetRequiredService<StorageClients>().Blobs.GetBlobContainerClient(JobsOptions.RequestsContainer)
            .GetBlobClient($"{TestAccounts.Demo}/{jobId}.json");

    private static async Task<byte[]> DownloadAsync(System.Text.Json.Nodes.JsonNode job)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
    }
}
