using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// Settings for the app under test: the run's Azurite, a demo SQLite database of the test's own, a job table, queues
/// and a managed-files container of the test's own (so listings and purges see only the test's own), a test
/// encryption key and the examples' saved key; account tables of its own, where every host creates the two
/// <see cref="TestAccounts"/>.
/// </summary>
public static class TestApp
{
    public const string EncryptionKey = "rg9VHzDrz2J9e6JNPneJTGe4iuv2a9q/k+AADeCpvl0=";

    public static async Task<Dictionary<string, string?>> SettingsAsync(string? databasePath = null, bool seedDemoData = true)
    {
        var azurite = await Azurite.InstanceAsync();
        databasePath ??= Path.Combine(TempFolders.Create("audiencetrends-db-"), "demo.db");
        return new Dictionary<string, string?>(ExampleSavedKey.Settings())
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["SecretProtection:Key"] = EncryptionKey,
            ["Jobs:TableName"] = "jobs" + Guid.NewGuid().ToString("N")[..12],
            // The test's own accounts and keys (TestAccounts creates its two in them), and maintenance reads only these.
            ["Accounts:AccountsTableName"] = "accounts" + Guid.NewGuid().ToString("N")[..12],
            ["Accounts:KeysTableName"] = "apikeys" + Guid.NewGuid().ToString("N")[..12],
            ["Accounts:LegacyAccount"] = TestAccounts.LegacyOwner,
            // The test's own schedules: a scheduler pass reads every due schedule of its tables.
            ["Schedules:TableName"] = "schedules" + Guid.NewGuid().ToString("N")[..12],
            ["Schedules:SlotsTableName"] = "slots" + Guid.NewGuid().ToString("N")[..12],
            ["Schedules:DueTableName"] = "due" + Guid.NewGuid().ToString("N")[..12],
            ["Jobs:QueueName"] = "jobs-" + Guid.NewGuid().ToString("N")[..12],
            ["Webhooks:QueueName"] = "hooks-" + Guid.NewGuid().ToString("N")[..12],
            // The test's own: maintenance purges old files from the whole container, and tests run side by side.
            ["ManagedStorage:Container"] = "exports-" + Guid.NewGuid().ToString("N")[..12],
            ["Jobs:ProgressInterval"] = "00:00:01",
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={databasePath}",
            ["Database:SeedDemoData"] = seedDemoData ? "true" : "false",
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        };
    }

    /// <summary>The in-process host with a log capture, for tests that look inside (rows, messages, logs).</summary>
    public static async Task<(InProcessFunctionsHost Host, CapturingLoggerProvider Logs)> StartInProcessAsync(
        IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null,
        IDictionary<string, string?>? accountsSettings = null)
    {
        var logs = new CapturingLoggerProvider();
        var host = await InProcessFunctionsHost.StartAsync(settings, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            configureServices?.Invoke(services);
        }, accountsSettings);
        return (host, logs);
    }

    public static TableClient JobTable(this InProcessFunctionsHost host, IDictionary<string, string?> settings) =>
        host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(settings["Jobs:TableName"]);

    public static QueueClient JobQueue(this InProcessFunctionsHost host, IDictionary<string, string?> settings) =>
        host.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(settings["Jobs:QueueName"]);
}
