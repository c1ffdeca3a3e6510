using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Benchmark;

/// <summary>What one child process reports: the export's figures, where the file is, and its phases alone.</summary>
public sealed record ExportResult(
    double Seconds, long Bytes, long Rows, string Sha256, string Container, string BlobName, long PeakWorkingSetBytes,
    ExportPhases Phases);

/// <summary>
/// Each part of the export run alone after the measured export (they overlap inside it): reading the rows, formatting
/// them as CSV, hashing that many bytes, and a job of one cell, which is the job's fixed cost and its storage calls.
/// </summary>
public sealed record ExportPhases(
    double ReadSeconds, double FormatSeconds, double HashSeconds, double SmallJobSeconds, IReadOnlyList<string> SmallJobCalls);

/// <summary>
/// The child process: the app's own DI, a job created through <see cref="ExportIntake"/>, and
/// <see cref="ExportWorker.ProcessAsync"/> (the queue function's body) timed.
/// </summary>
public static class ExportRun
{
    public const string ResultPrefix = "RESULT ";

    public static async Task RunAsync(string databasePath, BenchmarkSize size)
    {
        using var calls = new StorageCalls();
        using var host = await BenchmarkHost.StartAsync(databasePath, size.Audiences, size.Days);
        var intake = host.Services.GetRequiredService<ExportIntake>();
        var worker = host.Services.GetRequiredService<ExportWorker>();
        var jobs = host.Services.GetRequiredService<JobStore>();

        // A running function host has compiled the code path already, its hot loops optimised by the tiered JIT after
        // some thousands of rows: warm it up on a job big enough for that (at most the measured size), not measured.
        var warmUp = new BenchmarkSize(Math.Min(size.Audiences, 200), Math.Min(size.Days, 90));
        await ExportAsync(intake, worker, jobs, warmUp);

        var stopwatch = Stopwatch.StartNew();
        var job = await ExportAsync(intake, worker, jobs, size);
        var seconds = stopwatch.Elapsed.TotalSeconds;

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peakWorkingSet = process.PeakWorkingSet64; // before the phases, which hold every row in memory

        var phases = await PhasesAsync(host.Services, size, job.ResultBytes!.Value, calls, intake, worker, jobs);
        var container = host.Services.GetRequiredService<IOptions<ManagedStorageOptions>>().Value.Container;
        var result = new ExportResult(seconds, job.ResultBytes!.Value, job.ResultRows!.Value, job.ResultSha256!,
            container, $"{job.Id}/{job.ResultFileName}", peakWorkingSet, phases);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        await host.StopAsync();
    }

    private static async Task<ExportPhases> PhasesAsync(
        IServiceProvider services, BenchmarkSize size, long bytes, StorageCalls calls, ExportIntake intake, ExportWorker worker, JobStore jobs)
    {
        var names = Enumerable.Range(0, size.Audiences).Select(BenchmarkSize.AudienceName).ToArray();
        var source = services.GetRequiredService<IAudienceTrendSource>();
        var stopwatch = Stopwatch.StartNew();
        var trends = new List<AudienceTrend>(names.Length);
        await foreach (var trend in source.ReadTrendsAsync(names, BenchmarkSize.FirstDay, size.LastDay, CancellationToken.None))
        {
            trends.Add(trend);
        }

        var read = stopwatch.Elapsed.TotalSeconds;

        stopwatch.Restart();
        await services.GetRequiredService<TrendCsvWriter>().WriteAsync(
            Stream.Null, BenchmarkSize.FirstDay, size.LastDay, trends.ToAsyncEnumerable(), null, CancellationToken.None);
        var format = stopwatch.Elapsed.TotalSeconds;
        trends.Clear();

        // What the worker's HashingStream does: SHA-256 over the CSV's bytes, in the writer's 64 KiB writes.
        var block = new byte[64 * 1024];
        stopwatch.Restart();
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (var left = bytes; left > 0; left -= block.Length)
            {
                hash.AppendData(block, 0, (int)Math.Min(left, block.Length));
            }

            _ = hash.GetCurrentHash();
        }

        var hashing = stopwatch.Elapsed.TotalSeconds;

        // The fixed cost: intake and worker for one audience and one day, every storage request counted.
        calls.Start();
        stopwatch.Restart();
        await ExportAsync(intake, worker, jobs, new BenchmarkSize(1, 1));
        var smallJob = stopwatch.Elapsed.TotalSeconds;
        return new ExportPhases(read, format, hashing, smallJob, calls.Stop());
    }

    private static async Task<ExportJob> ExportAsync(ExportIntake intake, ExportWorker worker, JobStore jobs, BenchmarkSize size)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["name"] = "benchmark",
            ["exportType"] = "csv",
            ["destination"] = new Dictionary<string, string> { ["type"] = "aws" },
            ["selected_timeframe_start"] = BenchmarkSize.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["selected_timeframe_end"] = size.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["audiences"] = Enumerable.Range(0, size.Audiences).Select(BenchmarkSize.AudienceName).ToArray(),
        });
        var outcome = await intake.SubmitAsync(body, idempotencyKey: null, CancellationToken.None);
        if (outcome is not IntakeOutcome.Accepted accepted)
        {
            var detail = outcome is IntakeOutcome.Invalid invalid ? JsonSerializer.Serialize(invalid.Errors.ToDictionary()) : outcome.ToString();
            throw new InvalidOperationException($"Intake did not accept the {size} job: {detail}");
        }

        await worker.ProcessAsync(accepted.Job.Id, CancellationToken.None);
        var job = await jobs.GetAsync(accepted.Job.Id, CancellationToken.None);
        if (job is not { Status: JobStatus.Done })
        {
            throw new InvalidOperationException(
                $"The {size} job ended {job?.Status}: {job?.ErrorCode} {job?.ErrorMessage} {job?.LastError}");
        }

        if (job.ResultRows != size.Audiences)
        {
            throw new InvalidOperationException($"The {size} job wrote {job.ResultRows} rows; {size.Audiences} were expected.");
        }

        return job;
    }
}
