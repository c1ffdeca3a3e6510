using System.Net;
using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Functions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// What an Idempotency-Key leaves in the idempotency table (Azurite): nothing a reader of the table can test a guessed
/// body or key against, and nothing once its window has passed.
/// </summary>
public sealed class IdempotencyRecordTests
{
    [Test]
    public async Task The_stored_record_holds_neither_the_plain_sha256_of_the_body_nor_of_the_key()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var key = "key-" + Guid.NewGuid();
        var body = HttpJson.Example("sftp.json");

        var created = await host.Client.PostExportAsync(body, key);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();

        var record = await RecordOfAsync(host, jobId);
        Assert.That(record, Is.Not.Null, "the key is remembered");
        var values = string.Join('\n', record!.Select(p => $"{p.Value}"));
        foreach (var plain in new[] { Sha256Hex(body), Sha256Hex(key) })
        {
            Assert.That(values, Does.Not.Contain(plain).IgnoreCase, "a plain SHA-256 lets a reader confirm guesses offline");
        }

        Assert.That(values, Does.Not.Contain(key));
    }

    [Test]
    [Infrastructure.StartsProcesses] // its own Azurite: a day ahead, its maintenance deletes every Idempotency-Key record of the account
    public async Task A_record_past_its_window_is_deleted_by_maintenance()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var azurite = await Infrastructure.Azurite.StartOwnAsync();
        var settings = await TestApp.SettingsAsync();
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        await using var _ = host;
        var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"), "key-" + Guid.NewGuid());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();

        time.Advance(TimeSpan.FromHours(23));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        Assert.That(await RecordOfAsync(host, jobId), Is.Not.Null, "kept while its window lasts");

        time.Advance(TimeSpan.FromHours(2));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        Assert.That(await RecordOfAsync(host, jobId), Is.Null, "deleted once Jobs:IdempotencyWindow (24 hours) has passed");
    }

    private static async Task<TableEntity?> RecordOfAsync(Infrastructure.InProcessFunctionsHost host, string jobId)
    {
        var table = host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(JobsOptions.IdempotencyTableName);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"JobId eq {jobId}")))
        {
            return row;
        }

        return null;
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
