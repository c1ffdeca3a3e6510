using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Export.Formats;
using AudienceTrends.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Benchmark;

/// <summary>What one child process reports: the export's figures, where the file is, and its phases alone.</summary>
public sealed record ExportResult(
    double Seconds, double CpuSeconds, long Bytes, long Rows, string Sha256, string Container, string BlobName,
    long PeakWorkingSetBytes, ExportPhases Phases);

/// <summary>
/// Each part of the export run alone after the measured export (they overlap inside it): reading the rows, formatting
/// them in the measured format, hashing that many bytes, and the worker on a job of one cell: the job's fixed cost and its storage calls.
/// </summary>
public sealed record ExportPhases(
    double ReadSeconds, double ReadCpuSeconds, double FormatSeconds, double HashSeconds, double SmallJobSeconds,
    IReadOnlyList<string> SmallJobCalls);

/// <summary>
/// The child process: the app's own DI, a job created through <see cref="ExportIntake"/>, and
/// <see cref="ExportWorker.ProcessAsync"/> (the queue function's body) timed.
/// </summary>
public static class ExportRun
{
    public const string ResultPrefix = "RESULT ";

    public static async Task RunAsync(string databasePath, BenchmarkSize size, BenchmarkFormat format)
    {
        using var calls = new StorageCalls();
        using var host = await BenchmarkHost.StartAsync(databasePath, size.Audiences, size.Days);
        var intake = host.Services.GetRequiredService<ExportIntake>();
        var worker = host.Services.GetRequiredService<ExportWorker>();
        var jobs = host.Services.GetRequiredService<JobStore>();

        // A running function host has compiled the code path already, its hot loops optimised by the tiered JIT: warm
        // it up on jobs big enough for that (at most the measured size), not measured, and give the JIT's background
        // thread time to finish, so it does not compete with the measured export for the 2 cores.
        var warmUp = new BenchmarkSize(Math.Min(size.Audiences, 500), Math.Min(size.Days, 180));
        for (var i = 0; i < 3; i++)
        {
            await ExportAsync(intake, worker, jobs, warmUp, format);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));

        // Timed: the queue function's body, from the message to the job marked Done. The intake (its own HTTP
        // request, answered before the export starts) is measured by the intake benchmark.
        using var process = Process.GetCurrentProcess();
        var jobId = await SubmitAsync(intake, size, format);
        var cpu = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await worker.ProcessAsync(jobId, CancellationToken.None);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var job = await CheckDoneAsync(jobs, jobId, size, format);
        var peakWorkingSet = process.PeakWorkingSet64; // before the phases, which hold every row in memory

        var phases = await PhasesAsync(host.Services, size, format, job.ResultBytes!.Value, calls, intake, worker, jobs);
        var container = host.Services.GetRequiredService<IOptions<ManagedStorageOptions>>().Value.Container;
        var result = new ExportResult(seconds, cpuSeconds, job.ResultBytes!.Value, job.ResultRows!.Value, job.ResultSha256!,
            container, $"{job.Account.Value}/{job.Id}/{job.ResultFileName}", peakWorkingSet, phases); // the account's folder, as ManagedFiles names it
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        await host.StopAsync();
    }

    private static async Task<ExportPhases> PhasesAsync(
        IServiceProvider services, BenchmarkSize size, BenchmarkFormat format, long bytes, StorageCalls calls, ExportIntake intake,
        ExportWorker worker, JobStore jobs)
    {
        var names = Enumerable.Range(0, size.Audiences).Select(BenchmarkSize.AudienceName).ToArray();
        var source = services.GetRequiredService<IAudienceTrendSource>();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var trends = new List<AudienceTrend>(names.Length);
        await foreach (var trend in source.ReadTrendsAsync(DemoAccount.Id, names, BenchmarkSize.FirstDay, size.LastDay, CancellationToken.None))
        {
            trends.Add(trend);
        }

        var read = stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        var readCpu = (process.TotalProcessorTime - cpu).TotalSeconds;

        stopwatch.Restart();
        await services.GetRequiredService<TrendFileWriters>().For(format.ExportType, format.Layout).WriteAsync(
            Stream.Null, BenchmarkSize.FirstDay, size.LastDay, trends.ToAsyncEnumerable(), null, CancellationToken.None);
        var formatting = stopwatch.Elapsed.TotalSeconds;
        trends.Clear();

        // What the worker's HashingStream does: SHA-256 over the file's bytes, in the writer's 64 KiB writes.
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

        // The fixed cost: the worker on a job of one audience and one day, every storage request it sends counted.
        var small = new BenchmarkSize(1, 1);
        var smallJobId = await SubmitAsync(intake, small, format);
        calls.Start();
        stopwatch.Restart();
        await worker.ProcessAsync(smallJobId, CancellationToken.None);
        var smallJob = stopwatch.Elapsed.TotalSeconds;
        var smallJobCalls = calls.Stop();
        await CheckDoneAsync(jobs, smallJobId, small, format);
        return new ExportPhases(read, readCpu, formatting, hashing, smallJob, smallJobCalls);
    }

    private static async Task<ExportJob> ExportAsync(ExportIntake intake, ExportWorker worker, JobStore jobs, BenchmarkSize size, BenchmarkFormat format)
    {
        var jobId = await SubmitAsync(intake, size, format);
        await worker.ProcessAsync(jobId, CancellationToken.None);
        return await CheckDoneAsync(jobs, jobId, size, format);
    }

    private static async Task<string> SubmitAsync(ExportIntake intake, BenchmarkSize size, BenchmarkFormat format)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["name"] = "benchmark",
            ["exportType"] = format.ExportType,
            ["layout"] = format.Layout,
            ["destination"] = new Dictionary<string, string> { ["type"] = "aws" },
            ["selected_timeframe_start"] = BenchmarkSize.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["selected_timeframe_end"] = size.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["audiences"] = Enumerable.Range(0, size.Audiences).Select(BenchmarkSize.AudienceName).ToArray(),
        });
        var outcome = await intake.SubmitAsync(DemoAccount.Id, body, idempotencyKey: null, CancellationToken.None);
        if (outcome is not IntakeOutcome.Accepted accepted)
        {
            var detail = outcome is IntakeOutcome.Invalid invalid ? JsonSerializer.Serialize(invalid.Errors.ToDictionary()) : outcome.ToString();
            throw new InvalidOperationException($"Intake did not accept the {size} job: {detail}");
        }

        return accepted.Job.Id;
    }

    /// <summary>The job, Done; a wide file has a row per audience (a long one's rows the parent checks against the database).</summary>
    private static async Task<ExportJob> CheckDoneAsync(JobStore jobs, string jobId, BenchmarkSize size, BenchmarkFormat format)
    {
        var job = await jobs.GetAsync(DemoAccount.Id, jobId, CancellationToken.None);
        if (job is not { Status: JobStatus.Done })
        {
            throw new InvalidOperationException(
                $"The {size} job ended {job?.Status}: {job?.ErrorCode} {job?.ErrorMessage} {job?.LastError}");
        }

        if (format.IsWide && job.ResultRows != size.Audiences)
        {
            throw new InvalidOperationException($"The {size} job wrote {job.ResultRows} rows; {size.Audiences} were expected.");
        }

        return job;
    }
}
