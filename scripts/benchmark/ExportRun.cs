using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Core;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Benchmark;

/// <summary>What one child process reports: the export's figures and where the file is.</summary>
public sealed record ExportResult(
    double Seconds, long Bytes, long Rows, string Sha256, string Container, string BlobName, long PeakWorkingSetBytes);

/// <summary>
/// The child process: the app's own DI (as the tests' stand-in host builds it), a job created through
/// <see cref="ExportIntake"/>, and <see cref="ExportWorker.ProcessAsync"/> (the queue function's body) timed.
/// </summary>
public static class ExportRun
{
    public const string StorageVariable = "AUDIENCETRENDS_BENCHMARK_STORAGE";
    public const string ResultPrefix = "RESULT ";

    public static async Task RunAsync(string databasePath, BenchmarkSize size)
    {
        var storage = Environment.GetEnvironmentVariable(StorageVariable)
            ?? throw new InvalidOperationException($"{StorageVariable} is not set; the parent benchmark sets it.");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["SecretProtection:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={databasePath}",
            ["Intake:MaxAudiences"] = Invariant(Math.Max(size.Audiences, 1000)),
            ["Intake:MaxTimeframeDays"] = Invariant(Math.Max(size.Days, 366)),
            ["Intake:MaxBodyBytes"] = Invariant(64 * 1024 * 1024),
        });
        builder.Services.AddLogging();
        builder.Services.AddAudienceTrends(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync(); // validates every options class, as the worker does at start-up

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
        var container = host.Services.GetRequiredService<IOptions<ManagedStorageOptions>>().Value.Container;
        var result = new ExportResult(seconds, job.ResultBytes!.Value, job.ResultRows!.Value, job.ResultSha256!,
            container, $"{job.Id}/{job.ResultFileName}", process.PeakWorkingSet64);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        await host.StopAsync();
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

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
