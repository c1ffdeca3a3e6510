using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AudienceTrends.Benchmark;

/// <summary>
/// The parent: one Azurite, one seeded database per size, then per size <c>runs</c> rounds of the baseline (the sqlite3
/// tool writing the same rows as CSV, a plain SDK upload of a file as large as our CSV) and the real export in a child
/// process, interleaved; then the intake against its two storage writes. Prints min/median/max and median ratios against
/// the targets; a missed target prints MISS and is not an error.
/// </summary>
public static class BenchmarkRun
{
    private const double MemoryTargetMiB = 64;
    private const int IntakeCreates = 1000;
    private const int IntakeConcurrency = 64;
    private const double IntakeTarget = 1.5;
    private const string BaselineContainer = "benchmark-baseline";

    /// <summary>Export ÷ baseline targets by size (issue 14); other sizes are measured without a target.</summary>
    private static readonly Dictionary<BenchmarkSize, double> Targets = new() { [new(1_000, 366)] = 1.5, [new(10_000, 730)] = 1.0 };

    /// <summary>Each format's export time ÷ the CSV's at this size, at most (issue 23).</summary>
    private static readonly Dictionary<BenchmarkSize, double> FormatTargets = new() { [new(10_000, 730)] = 1.5 };

    public static async Task RunAsync(IReadOnlyList<BenchmarkSize> sizes, IReadOnlyList<BenchmarkFormat> formats, int runs)
    {
        var loadAtStart = LoadAverage();
        var work = Directory.CreateTempSubdirectory("audiencetrends-benchmark-");
        try
        {
            var azurite = await Azurite.InstanceAsync();
            var blobs = new BlobServiceClient(azurite.ConnectionString);
            var baseline = blobs.GetBlobContainerClient(BaselineContainer);
            await baseline.CreateIfNotExistsAsync();
            // The SDK's first request pays for its own start-up; the export's child warms up likewise.
            await baseline.GetBlockBlobClient("warm-up").UploadAsync(new MemoryStream(new byte[1024]), new BlobUploadOptions());

            var results = new List<SizeResult>();
            foreach (var size in sizes)
            {
                results.Add(await MeasureAsync(size, formats, runs, work.FullName, azurite.ConnectionString, blobs, baseline));
            }

            Progress($"intake: {IntakeCreates} creates at {IntakeConcurrency} concurrent, {runs} runs");
            var intakeDatabase = Path.Combine(work.FullName, "intake.db");
            TrendDatabase.CreateAudiences(intakeDatabase, ["audience1", "audience2"]);
            var intake = await RunChildAsync<IntakeResult>(IntakeRun.ResultPrefix, azurite.ConnectionString,
                "--intake", intakeDatabase, Invariant(IntakeCreates), Invariant(IntakeConcurrency), Invariant(runs));

            BenchmarkReport.Print(results, intake, runs, loadAtStart, LoadAverage(), Targets, MemoryTargetMiB,
                (IntakeCreates, IntakeConcurrency, IntakeTarget));
            BenchmarkReport.PrintFormats(results, FormatTargets, MemoryTargetMiB);
        }
        finally
        {
            await Azurite.StopIfStartedAsync();
            work.Delete(recursive: true);
        }
    }

    private static async Task<SizeResult> MeasureAsync(
        BenchmarkSize size, IReadOnlyList<BenchmarkFormat> formats, int runs, string work, string storage, BlobServiceClient blobs,
        BlobContainerClient baseline)
    {
        var database = Path.Combine(work, $"{size}.db");
        Progress($"{size}: seeding {database}");
        var seeding = Stopwatch.StartNew();
        var rows = TrendDatabase.Create(database, size);
        Progress($"{size}: {rows:N0} daily rows in {seeding.Elapsed.TotalSeconds:F1} s");

        var result = new SizeResult(size, rows);
        var ourCsv = Path.Combine(work, $"{size}-export.csv");
        for (var run = 0; run < runs; run++)
        {
            // Interleaved, the order alternating: a burst of load elsewhere lands on both sides, not on one.
            Progress($"{size}: run {run + 1} of {runs}");
            ExportResult export;
            if (run % 2 == 0)
            {
                result.Sqlite3.Add(await RunSqlite3Async(database, size, work));
                export = await RunChildAsync<ExportResult>(ExportRun.ResultPrefix, storage, "--export", database, size.ToString(), BenchmarkFormat.CsvWide.Key);
            }
            else
            {
                export = await RunChildAsync<ExportResult>(ExportRun.ResultPrefix, storage, "--export", database, size.ToString(), BenchmarkFormat.CsvWide.Key);
                result.Sqlite3.Add(await RunSqlite3Async(database, size, work));
            }

            result.Exports.Add(export);
            await CheckAndKeepAsync(blobs, export, size, ourCsv);
            result.Upload.Add(await UploadAsync(baseline, size, ourCsv));

            // The other formats against the same run's baseline, each in a child of its own.
            foreach (var format in formats.Where(f => f != BenchmarkFormat.CsvWide))
            {
                Progress($"{size}: run {run + 1} of {runs}, {format}");
                var other = await RunChildAsync<ExportResult>(ExportRun.ResultPrefix, storage, "--export", database, size.ToString(), format.Key);
                if (!format.IsWide && other.Rows != rows)
                {
                    throw new InvalidOperationException($"{size} {format}: the job wrote {other.Rows} rows; the database holds {rows}.");
                }

                var file = Path.Combine(work, $"{size}-export.{format.Key}");
                await CheckAndKeepAsync(blobs, other, size, file);
                File.Delete(file);
                result.Add(format, other);
            }
        }

        File.Delete(ourCsv);
        File.Delete(database);
        return result;
    }

    /// <summary>Downloads the exported blob to <paramref name="path"/>, checks it is what the job reported, deletes the blob.</summary>
    private static async Task CheckAndKeepAsync(BlobServiceClient blobs, ExportResult export, BenchmarkSize size, string path)
    {
        var exported = blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName);
        await exported.DownloadToAsync(path);
        await using (var file = File.OpenRead(path))
        {
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
            if (file.Length != export.Bytes || sha256 != export.Sha256)
            {
                throw new InvalidOperationException(
                    $"{size}: the stored blob ({file.Length} bytes, {sha256}) is not what the job reported ({export.Bytes} bytes, {export.Sha256}).");
            }
        }

        await exported.DeleteAsync(); // Azurite keeps blobs in memory
    }

    /// <summary>The baseline's upload: a plain SDK upload of a file exactly as large as our CSV (the CSV itself).</summary>
    private static async Task<double> UploadAsync(BlobContainerClient baseline, BenchmarkSize size, string path)
    {
        var upload = baseline.GetBlockBlobClient($"{size}.csv");
        var uploading = Stopwatch.StartNew();
        await using (var file = File.OpenRead(path))
        {
            await upload.UploadAsync(file, new BlobUploadOptions());
        }

        var seconds = uploading.Elapsed.TotalSeconds;
        await upload.DeleteAsync();
        return seconds;
    }

    /// <summary>Exactly <c>sqlite3 -csv db "SELECT ..." &gt; file</c>, timed from start to exit.</summary>
    private static async Task<double> RunSqlite3Async(string database, BenchmarkSize size, string work)
    {
        var output = Path.Combine(work, $"{size}-sqlite3.csv");
        var sql = "SELECT audience_name, day, contact_count FROM audience_daily_size " +
            $"WHERE account_id = '{DemoAccount.Name}' AND day BETWEEN '{BenchmarkSize.FirstDay:yyyy-MM-dd}' AND '{size.LastDay:yyyy-MM-dd}' " +
            "ORDER BY audience_name, day";
        var startInfo = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", "exec sqlite3 -csv \"$1\" \"$2\" > \"$3\"", "sh", database, sql, output })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start sh.");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        File.Delete(output);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"sqlite3 exited with {process.ExitCode} (is the sqlite3 package installed? scripts/install-test-prereqs.sh): {errors}");
        }

        return seconds;
    }

    private static async Task<T> RunChildAsync<T>(string prefix, string storage, params string[] arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var startInfo = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(BenchmarkRun).Assembly.Location); // started as `dotnet <dll>`
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[BenchmarkHost.StorageVariable] = storage;
        using var child = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start a child process.");
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException(
                $"The child `{string.Join(' ', arguments)}` exited with {child.ExitCode} (its errors are above).\n{output}");
        }

        return JsonSerializer.Deserialize<T>(line[prefix.Length..])!;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Every run of one size.</summary>
/// <param name="rows">The database's daily rows: a long file's data rows.</param>
public sealed class SizeResult(BenchmarkSize size, long rows)
{
    public BenchmarkSize Size { get; } = size;

    public long DailyRows { get; } = rows;

    /// <summary>The reference CSV's exports (csv-wide), one per run.</summary>
    public List<ExportResult> Exports { get; } = [];

    /// <summary>Every measured format's exports, one per run, the CSV's included.</summary>
    public Dictionary<BenchmarkFormat, List<ExportResult>> ByFormat { get; } = [];

    public void Add(BenchmarkFormat format, ExportResult export)
    {
        if (!ByFormat.TryGetValue(format, out var list))
        {
            ByFormat[format] = list = [];
        }

        list.Add(export);
    }

    /// <summary>The exports of <paramref name="format"/>, the reference CSV's for csv-wide.</summary>
    public IReadOnlyList<ExportResult> Of(BenchmarkFormat format) =>
        format == BenchmarkFormat.CsvWide ? Exports : ByFormat.GetValueOrDefault(format) ?? [];

    public List<double> Sqlite3 { get; } = [];

    public List<double> Upload { get; } = [];

    public IEnumerable<double> Baseline => Sqlite3.Zip(Upload, (sqlite, upload) => sqlite + upload);

    /// <summary>Each run's export ÷ that run's baseline.</summary>
    public IEnumerable<double> Ratios => Exports.Zip(Baseline, (export, baseline) => export.Seconds / baseline);
}
