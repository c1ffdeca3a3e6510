using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Benchmark;

/// <summary>Per run: the intake's seconds and the baseline's for the same number of creates, and the intake's storage calls.</summary>
public sealed record IntakeResult(
    double[] IntakeSeconds, double[] WritesSeconds, IReadOnlyList<string> CallsPerCreate, IReadOnlyDictionary<string, double> PartSeconds);

/// <summary>
/// The child process for the intake: <see cref="ExportIntake.SubmitAsync"/> (the create function's body) on the
/// reference UI example, many creates at a fixed concurrency from <see cref="Accounts"/> accounts in turn (as many
/// customers submit at once), against the baseline of the three storage requests a create must make: the account's
/// active-job count (a range query of its markers), the job row with its marker (one transaction, copied from one the
/// intake stored) and the queue message; same concurrency, same Azurite. Runs alternate between the two.
/// </summary>
public static class IntakeRun
{
    public const string ResultPrefix = "INTAKE ";

    /// <summary>Accounts the creates come from; each ends the benchmark with about 50 jobs Pending.</summary>
    public const int Accounts = 64;

    /// <summary>Above what one account reaches here, so no create is refused; the count reads at most that many markers.</summary>
    public const int MaxActivePerAccount = 200;

    private static readonly AccountId[] AccountIds =
        [.. Enumerable.Range(0, Accounts).Select(i => AccountId.Parse(string.Create(CultureInfo.InvariantCulture, $"bench-{i:D2}")))];

    public static async Task RunAsync(string databasePath, int creates, int concurrency, int runs)
    {
        using var calls = new StorageCalls();
        GiveEveryAccountTheExamplesAudiences(databasePath);
        using var host = await BenchmarkHost.StartAsync(databasePath, 1000, 366);
        var intake = host.Services.GetRequiredService<ExportIntake>();
        var body = await File.ReadAllBytesAsync(RepositoryPaths.Combine("examples", "ui-download.json"));

        // Warm up (JIT, connections, tables and queues created), then count one create's storage calls.
        await ParallelAsync(concurrency, concurrency, async (_, token) => await CreateAsync(intake, body, _, token));
        calls.Start();
        var jobId = await CreateAsync(intake, body, 0, CancellationToken.None);
        var perCreate = calls.Stop();

        var storage = host.Services.GetRequiredService<StorageClients>();
        var jobTable = storage.Tables.GetTableClient(host.Services.GetRequiredService<IOptions<JobsOptions>>().Value.TableName);
        var row = (await jobTable.GetEntityAsync<TableEntity>(AccountIds[0].Value, jobId)).Value;
        var table = storage.Tables.GetTableClient("benchmarkbaseline");
        var queue = storage.Queues.GetQueueClient("benchmark-baseline");
        await table.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
        await ParallelAsync(concurrency, concurrency, (i, token) => WritesAsync(table, queue, row, i, token));

        var intakeSeconds = new double[runs];
        var writesSeconds = new double[runs];
        for (var run = 0; run < runs; run++)
        {
            // Alternate which goes first, so neither always meets the storage the other just filled.
            for (var half = 0; half < 2; half++)
            {
                if ((run + half) % 2 == 0)
                {
                    intakeSeconds[run] = await ParallelAsync(creates, concurrency, async (i, token) => await CreateAsync(intake, body, i, token));
                }
                else
                {
                    writesSeconds[run] = await ParallelAsync(creates, concurrency, (i, token) => WritesAsync(table, queue, row, i, token));
                }
            }
        }

        // Each part of a create alone, as many times at the same concurrency: where the intake's time goes.
        var source = host.Services.GetRequiredService<IAudienceTrendSource>();
        var lists = host.Services.GetRequiredService<AudienceListStore>();
        string[] audiences = ["audience1", "audience2"];
        var parts = new Dictionary<string, double>
        {
            ["known-audience check (SQLite)"] = await ParallelAsync(creates, concurrency, async (_, token) => await source.FindUnknownAsync(DemoAccount.Id, audiences, token)),
            ["audience list (short: into the row, no request)"] = await ParallelAsync(creates, concurrency, async (i, token) =>
                await lists.SaveAsync(new ExportJob { Id = $"benchmark{i:D8}" }, audiences, token)),
            ["active-job count (markers)"] = await ParallelAsync(creates, concurrency, async (i, token) =>
                await host.Services.GetRequiredService<JobStore>().CountActiveAsync(AccountIds[i % Accounts], MaxActivePerAccount, processingOnly: false, token)),
            ["table insert"] = await ParallelAsync(creates, concurrency, async (_, token) =>
                await table.AddEntityAsync(new TableEntity(row) { RowKey = Guid.NewGuid().ToString("N") }, token)),
            ["table insert with marker (one transaction)"] = await ParallelAsync(creates, concurrency, async (_, token) =>
            {
                var key = Guid.NewGuid().ToString("N");
                await table.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(row) { RowKey = key }),
                     new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(row.PartitionKey, "~active~" + key) { ["Status"] = "Pending" })], token);
            }),
            ["queue put"] = await ParallelAsync(creates, concurrency, async (i, token) => await queue.SendMessageAsync($"benchmark{i}", token)),
        };

        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new IntakeResult(intakeSeconds, writesSeconds, perCreate, parts)));
        await host.StopAsync();
    }

    private static async Task<string> CreateAsync(ExportIntake intake, byte[] body, int i, CancellationToken cancellationToken)
    {
        var outcome = await intake.SubmitAsync(AccountIds[i % Accounts], body, idempotencyKey: null, cancellationToken);
        return outcome is IntakeOutcome.Accepted accepted
            ? accepted.Job.Id
            : throw new InvalidOperationException($"The intake did not accept examples/ui-download.json: {outcome}");
    }

    /// <summary>
    /// The three requests a create must make: the account's count (a range query of at most the limit's markers),
    /// one transaction adding the row and its marker, one queue put.
    /// </summary>
    private static async ValueTask WritesAsync(TableClient table, Azure.Storage.Queues.QueueClient queue, TableEntity row, int i, CancellationToken token)
    {
        var partition = AccountIds[i % Accounts].Value;
        var key = Guid.NewGuid().ToString("N");
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {"~active~"} and RowKey lt {"~active~~"}");
        await foreach (var _ in table.QueryAsync<TableEntity>(range, maxPerPage: MaxActivePerAccount, select: ["RowKey"], cancellationToken: token))
        {
        }

        await table.SubmitTransactionAsync(
            [new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(row) { PartitionKey = partition, RowKey = key }),
             new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, "~active~" + key) { ["Status"] = "Pending" })], token);
        await queue.SendMessageAsync(key, token);
    }

    /// <summary>The example's two audiences, known to every benchmark account as to the demo one (the SQL contract is per account).</summary>
    private static void GiveEveryAccountTheExamplesAudiences(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var account in AccountIds)
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO audience (account_id, name) VALUES ($account, 'audience1'), ($account, 'audience2')";
            insert.Parameters.AddWithValue("$account", account.Value);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static async Task<double> ParallelAsync(int count, int concurrency, Func<int, CancellationToken, ValueTask> body)
    {
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, body);
        return stopwatch.Elapsed.TotalSeconds;
    }
}
