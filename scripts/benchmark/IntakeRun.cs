using System.Diagnostics;
using System.Text.Json;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Benchmark;

/// <summary>Per run: the intake's seconds and the baseline's for the same number of creates, and the intake's storage calls.</summary>
public sealed record IntakeResult(
    double[] IntakeSeconds, double[] WritesSeconds, IReadOnlyList<string> CallsPerCreate, IReadOnlyDictionary<string, double> PartSeconds);

/// <summary>
/// The child process for the intake: <see cref="ExportIntake.SubmitAsync"/> (the create function's body) on the
/// reference UI example, many creates at a fixed concurrency, against the baseline of the two storage writes a create
/// must make (the job row, copied from one the intake stored, and the queue message), same concurrency, same Azurite.
/// Runs alternate between the two.
/// </summary>
public static class IntakeRun
{
    public const string ResultPrefix = "INTAKE ";

    public static async Task RunAsync(string databasePath, int creates, int concurrency, int runs)
    {
        using var calls = new StorageCalls();
        using var host = await BenchmarkHost.StartAsync(databasePath, 1000, 366);
        var intake = host.Services.GetRequiredService<ExportIntake>();
        var body = await File.ReadAllBytesAsync(RepositoryPaths.Combine("examples", "ui-download.json"));

        // Warm up (JIT, connections, tables and queues created), then count one create's storage calls.
        await ParallelAsync(concurrency, concurrency, async (_, token) => await CreateAsync(intake, body, token));
        calls.Start();
        var jobId = await CreateAsync(intake, body, CancellationToken.None);
        var perCreate = calls.Stop();

        var storage = host.Services.GetRequiredService<StorageClients>();
        var jobTable = storage.Tables.GetTableClient(host.Services.GetRequiredService<IOptions<JobsOptions>>().Value.TableName);
        var row = (await jobTable.GetEntityAsync<TableEntity>(DemoAccount.Name, jobId)).Value;
        var table = storage.Tables.GetTableClient("benchmarkbaseline");
        var queue = storage.Queues.GetQueueClient("benchmark-baseline");
        await table.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
        await ParallelAsync(concurrency, concurrency, (_, token) => WritesAsync(table, queue, row, token));

        var intakeSeconds = new double[runs];
        var writesSeconds = new double[runs];
        for (var run = 0; run < runs; run++)
        {
            // Alternate which goes first, so neither always meets the storage the other just filled.
            for (var half = 0; half < 2; half++)
            {
                if ((run + half) % 2 == 0)
                {
                    intakeSeconds[run] = await ParallelAsync(creates, concurrency, async (_, token) => await CreateAsync(intake, body, token));
                }
                else
                {
                    writesSeconds[run] = await ParallelAsync(creates, concurrency, (_, token) => WritesAsync(table, queue, row, token));
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
            ["table insert"] = await ParallelAsync(creates, concurrency, async (_, token) =>
                await table.AddEntityAsync(new TableEntity(row) { RowKey = Guid.NewGuid().ToString("N") }, token)),
            ["queue put"] = await ParallelAsync(creates, concurrency, async (i, token) => await queue.SendMessageAsync($"benchmark{i}", token)),
        };

        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new IntakeResult(intakeSeconds, writesSeconds, perCreate, parts)));
        await host.StopAsync();
    }

    private static async Task<string> CreateAsync(ExportIntake intake, byte[] body, CancellationToken cancellationToken)
    {
        var outcome = await intake.SubmitAsync(DemoAccount.Id, body, idempotencyKey: null, cancellationToken);
        return outcome is IntakeOutcome.Accepted accepted
            ? accepted.Job.Id
            : throw new InvalidOperationException($"The intake did not accept examples/ui-download.json: {outcome}");
    }

    /// <summary>The two writes a create must make: one table insert, one queue put.</summary>
    private static async ValueTask WritesAsync(TableClient table, Azure.Storage.Queues.QueueClient queue, TableEntity row, CancellationToken token)
    {
        var copy = new TableEntity(row) { RowKey = Guid.NewGuid().ToString("N") };
        await table.AddEntityAsync(copy, token);
        await queue.SendMessageAsync(copy.RowKey, token);
    }

    private static async Task<double> ParallelAsync(int count, int concurrency, Func<int, CancellationToken, ValueTask> body)
    {
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, body);
        return stopwatch.Elapsed.TotalSeconds;
    }
}
