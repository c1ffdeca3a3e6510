using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AudienceTrends.Benchmark;

/// <summary>
/// The parent: one Azurite, one seeded database per size, then per size the baseline (the sqlite3 tool writing the
/// same rows as CSV, a plain SDK upload of a file as large as our CSV) and the real export in a child process.
/// Prints figures and PASS/MISS against the targets; a missed target is not an error.
/// </summary>
public static class BenchmarkRun
{
    private const double RatioTarget = 1.5;
    private const double MemoryTargetMiB = 64;
    private const string BaselineContainer = "benchmark-baseline";

    private sealed record Measured(BenchmarkSize Size, ExportResult Export, double SqliteSeconds, double UploadSeconds)
    {
        public double Ratio => Export.Seconds / (SqliteSeconds + UploadSeconds);
    }

    public static async Task RunAsync(IReadOnlyList<BenchmarkSize> sizes)
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

            var results = new List<Measured>();
            foreach (var size in sizes)
            {
                results.Add(await MeasureAsync(size, work.FullName, azurite.ConnectionString, blobs, baseline));
            }

            Print(results, loadAtStart);
        }
        finally
        {
            await Azurite.StopIfStartedAsync();
            work.Delete(recursive: true);
        }
    }

    private static async Task<Measured> MeasureAsync(
        BenchmarkSize size, string work, string storage, BlobServiceClient blobs, BlobContainerClient baseline)
    {
        var database = Path.Combine(work, $"{size}.db");
        Progress($"{size}: seeding {database}");
        var seeding = Stopwatch.StartNew();
        var rows = TrendDatabase.Create(database, size);
        Progress($"{size}: {rows:N0} daily rows in {seeding.Elapsed.TotalSeconds:F1} s; sqlite3 baseline");

        var sqliteCsv = Path.Combine(work, $"{size}-sqlite3.csv");
        var sqliteSeconds = await RunSqlite3Async(database, size, sqliteCsv);
        File.Delete(sqliteCsv);

        Progress($"{size}: export in a child process");
        var export = await RunChildAsync(database, size, storage);

        // The baseline uploads a file exactly as large as our CSV: the CSV itself, downloaded (and checked) first.
        var ourCsv = Path.Combine(work, $"{size}-export.csv");
        var exported = blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName);
        await exported.DownloadToAsync(ourCsv);
        await using (var file = File.OpenRead(ourCsv))
        {
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
            if (file.Length != export.Bytes || sha256 != export.Sha256)
            {
                throw new InvalidOperationException(
                    $"{size}: the stored blob ({file.Length} bytes, {sha256}) is not what the job reported ({export.Bytes} bytes, {export.Sha256}).");
            }
        }

        Progress($"{size}: upload baseline ({export.Bytes:N0} bytes)");
        var upload = baseline.GetBlockBlobClient($"{size}.csv");
        var uploading = Stopwatch.StartNew();
        await using (var file = File.OpenRead(ourCsv))
        {
            await upload.UploadAsync(file, new BlobUploadOptions());
        }

        var uploadSeconds = uploading.Elapsed.TotalSeconds;

        // Azurite keeps blobs in memory: free them before the next size.
        await upload.DeleteAsync();
        await exported.DeleteAsync();
        File.Delete(ourCsv);
        File.Delete(database);
        return new Measured(size, export, sqliteSeconds, uploadSeconds);
    }

    /// <summary>Exactly <c>sqlite3 -csv db "SELECT ..." &gt; file</c>, timed from start to exit.</summary>
    private static async Task<double> RunSqlite3Async(string database, BenchmarkSize size, string output)
    {
        var sql = "SELECT audience_name, day, contact_count FROM audience_daily_size " +
            $"WHERE day BETWEEN '{BenchmarkSize.FirstDay:yyyy-MM-dd}' AND '{size.LastDay:yyyy-MM-dd}' ORDER BY audience_name, day";
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
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"sqlite3 exited with {process.ExitCode} (is the sqlite3 package installed? scripts/install-test-prereqs.sh): {errors}");
        }

        return seconds;
    }

    private static async Task<ExportResult> RunChildAsync(string database, BenchmarkSize size, string storage)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var startInfo = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(BenchmarkRun).Assembly.Location); // started as `dotnet <dll>`
        }

        foreach (var argument in new[] { "--export", database, size.ToString() })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[ExportRun.StorageVariable] = storage;
        using var child = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the export process.");
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ExportRun.ResultPrefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"The {size} export process exited with {child.ExitCode} (its errors are above).\n{output}");
        }

        return JsonSerializer.Deserialize<ExportResult>(line[ExportRun.ResultPrefix.Length..])!;
    }

    private static void Print(List<Measured> results, string loadAtStart)
    {
        var largest = results.MaxBy(r => r.Size.Cells)!;
        var smallest = results.MinBy(r => r.Size.Cells)!;
        var table = new List<string[]>
        {
            new[] { "size", "cells", "CSV MB", "export s", "cells/s", "MB/s", "peak WS MiB", "sqlite3 s", "upload s", "ratio", $"ratio ≤ {RatioTarget}× at largest" },
        };
        foreach (var r in results)
        {
            var e = r.Export;
            table.Add(
            [
                r.Size.ToString(),
                Format($"{r.Size.Cells:N0}"),
                Format($"{e.Bytes / 1e6:F1}"),
                Format($"{e.Seconds:F2}"),
                Format($"{r.Size.Cells / e.Seconds:N0}"),
                Format($"{e.Bytes / 1e6 / e.Seconds:F1}"),
                Format($"{e.PeakWorkingSetBytes / 1048576.0:F0}"),
                Format($"{r.SqliteSeconds:F2}"),
                Format($"{r.UploadSeconds:F2}"),
                Format($"{r.Ratio:F2}×"),
                ReferenceEquals(r, largest) ? (r.Ratio <= RatioTarget ? "PASS" : "MISS") : "-",
            ]);
        }

        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        Console.WriteLine();
        Console.WriteLine(Format($"AudienceTrends export benchmark: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}"));
        Console.WriteLine("export = ExportWorker.ProcessAsync (SQLite -> CSV -> managed Blob storage on Azurite), in a child process per size;");
        Console.WriteLine("baseline = `sqlite3 -csv` writing the same rows to a file + BlockBlobClient.UploadAsync of a file as large as the CSV;");
        Console.WriteLine("ratio = export s / (sqlite3 s + upload s); MB = 10^6 bytes; peak WS = the export process's peak working set.");
        // Other work on the machine slows the multi-threaded export (reader, uploader, Azurite) more than sqlite3.
        Console.WriteLine($"load average (1 min) at start {loadAtStart}, at end {LoadAverage()}.");
        Console.WriteLine();
        foreach (var row in table)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        Console.WriteLine();
        if (results.Count < 2)
        {
            Console.WriteLine($"peak memory difference largest - smallest: needs two sizes (target ≤ {MemoryTargetMiB} MiB)");
            return;
        }

        var difference = (largest.Export.PeakWorkingSetBytes - smallest.Export.PeakWorkingSetBytes) / 1048576.0;
        Console.WriteLine(Format(
            $"peak memory difference {largest.Size} - {smallest.Size}: {difference:F0} MiB (target ≤ {MemoryTargetMiB} MiB) {(difference <= MemoryTargetMiB ? "PASS" : "MISS")}"));
        Console.WriteLine(Format(
            $"export time / baseline at {largest.Size}: {largest.Ratio:F2}× (target ≤ {RatioTarget}×) {(largest.Ratio <= RatioTarget ? "PASS" : "MISS")}"));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
