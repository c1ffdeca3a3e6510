using System.Globalization;
using System.Runtime.InteropServices;

namespace AudienceTrends.Benchmark;

/// <summary>The tables: per size the runs' min/median/max and the median ratio, the export's phases, the intake.</summary>
public static class BenchmarkReport
{
    public static void Print(
        IReadOnlyList<SizeResult> results,
        IntakeResult intake,
        int runs,
        string loadAtStart,
        string loadAtEnd,
        IReadOnlyDictionary<BenchmarkSize, double> targets,
        double memoryTargetMiB,
        (int Creates, int Concurrency, double Target) intakeSetup)
    {
        Console.WriteLine();
        Console.WriteLine(F($"AudienceTrends benchmark: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {runs} runs each, interleaved"));
        Console.WriteLine("export = ExportWorker.ProcessAsync, the queue function's body (SQLite -> CSV -> managed Blob storage on Azurite),");
        Console.WriteLine("timed from the message to the job marked Done, in a warmed-up child process per run (the intake is measured below);");
        Console.WriteLine("baseline = `sqlite3 -csv` writing the same rows to a file + BlockBlobClient.UploadAsync of a file as large as the CSV;");
        Console.WriteLine("seconds as min / median / max; export CPU s = the export process's CPU time (median), steadier than wall time on a busy machine; ratio = median of each run's export s / baseline s; peak WS = the export process's largest peak working set.");
        // Other work on the machine slows the multi-threaded export (readers, writer, uploader, Azurite) more than sqlite3.
        var busy = new[] { loadAtStart, loadAtEnd }.Any(load =>
            double.TryParse(load, CultureInfo.InvariantCulture, out var value) && value > Environment.ProcessorCount);
        Console.WriteLine($"load average (1 min) at start {loadAtStart}, at end {loadAtEnd}{(busy ? ": above the core count, a busy machine" : "")}.");
        Console.WriteLine();

        var table = new List<string[]>
        {
            new[] { "size", "cells", "CSV MB", "export s", "export CPU s", "sqlite3 s", "upload s", "baseline s", "ratio", "target", "peak WS MiB" },
        };
        foreach (var r in results)
        {
            var target = targets.TryGetValue(r.Size, out var t) ? t : (double?)null;
            var ratio = Median(r.Ratios);
            table.Add(
            [
                r.Size.ToString(),
                F($"{r.Size.Cells:N0}"),
                F($"{r.Exports[0].Bytes / 1e6:F1}"),
                Spread(r.Exports.Select(e => e.Seconds)),
                F($"{Median(r.Exports.Select(e => e.CpuSeconds)):F2}"),
                Spread(r.Sqlite3),
                Spread(r.Upload),
                Spread(r.Baseline),
                F($"{ratio:F2}×"),
                target is { } goal ? F($"≤ {goal:F1}× {(ratio <= goal ? "PASS" : "MISS")}") : "-",
                F($"{r.Exports.Max(e => e.PeakWorkingSetBytes) / 1048576.0:F0}"),
            ]);
        }

        WriteTable(table);
        if (results.Count >= 2)
        {
            var largest = results.MaxBy(r => r.Size.Cells)!;
            var smallest = results.MinBy(r => r.Size.Cells)!;
            var difference = (Median(largest.Exports.Select(e => (double)e.PeakWorkingSetBytes)) -
                Median(smallest.Exports.Select(e => (double)e.PeakWorkingSetBytes))) / 1048576.0;
            Console.WriteLine(F(
                $"peak memory (medians) {largest.Size} - {smallest.Size}: {difference:F0} MiB (target ≤ {memoryTargetMiB} MiB) {(difference <= memoryTargetMiB ? "PASS" : "MISS")}"));
        }

        Console.WriteLine();
        Console.WriteLine("export phases, each run alone after the export (medians; inside the export they overlap: two threads read while");
        Console.WriteLine("the CSV is formatted and hashed, and the upload runs beside both). small job = the worker on 1 audience × 1 day.");
        var phases = new List<string[]> { new[] { "size", "SQL read s", "read CPU s", "CSV format s", "SHA-256 s", "upload s", "small job s", "storage calls" } };
        foreach (var r in results)
        {
            phases.Add(
            [
                r.Size.ToString(),
                F($"{Median(r.Exports.Select(e => e.Phases.ReadSeconds)):F3}"),
                F($"{Median(r.Exports.Select(e => e.Phases.ReadCpuSeconds)):F3}"),
                F($"{Median(r.Exports.Select(e => e.Phases.FormatSeconds)):F3}"),
                F($"{Median(r.Exports.Select(e => e.Phases.HashSeconds)):F3}"),
                F($"{Median(r.Upload):F3}"),
                F($"{Median(r.Exports.Select(e => e.Phases.SmallJobSeconds)):F3}"),
                F($"{r.Exports[0].Phases.SmallJobCalls.Count}"),
            ]);
        }

        WriteTable(phases);
        if (results.Count > 0)
        {
            Console.WriteLine("storage calls of the small job's worker, in order:");
            foreach (var call in results[0].Exports[0].Phases.SmallJobCalls)
            {
                Console.WriteLine("  " + call);
            }
        }

        Console.WriteLine();
        var intakeRatio = Median(intake.IntakeSeconds.Zip(intake.WritesSeconds, (a, b) => a / b));
        Console.WriteLine(F(
            $"intake: {intakeSetup.Creates} creates of examples/ui-download.json (ExportIntake.SubmitAsync) at {intakeSetup.Concurrency} concurrent,"));
        Console.WriteLine($"from {IntakeRun.Accounts} accounts in turn, against the three requests a create must make (the account's active-job");
        Console.WriteLine("count: a range query of its markers; the row and its marker in one transaction; the queue put), same concurrency, same Azurite.");
        WriteTable(
        [
            ["", "intake s", "3 requests s", "ratio", "target"],
            [
                "creates", Spread(intake.IntakeSeconds), Spread(intake.WritesSeconds), F($"{intakeRatio:F2}×"),
                F($"≤ {intakeSetup.Target:F1}× {(intakeRatio <= intakeSetup.Target ? "PASS" : "MISS")}"),
            ],
        ]);
        Console.WriteLine(F($"storage calls of one create ({intake.CallsPerCreate.Count}): {string.Join(", ", intake.CallsPerCreate)}"));
        Console.WriteLine(F($"each part alone, {intakeSetup.Creates} times at {intakeSetup.Concurrency} concurrent (last run): ") +
            string.Join(", ", intake.PartSeconds.Select(part => F($"{part.Key} {part.Value:F2} s"))));
    }

    /// <summary>
    /// Each format against the same runs' baseline and the reference CSV (csv-wide) of the same run: file size, time,
    /// its formatting alone, peak memory, and the targets (time ÷ the CSV's; peak memory, largest size minus smallest).
    /// </summary>
    public static void PrintFormats(IReadOnlyList<SizeResult> results, IReadOnlyDictionary<BenchmarkSize, double> targets, double memoryTargetMiB)
    {
        var formats = results.SelectMany(r => r.ByFormat.Keys).Distinct().ToList();
        if (formats.Count == 0)
        {
            return;
        }

        formats.Insert(0, BenchmarkFormat.CsvWide);
        Console.WriteLine();
        Console.WriteLine("file formats: each export in a child of its own in the same runs, ratio = median of each run's export s / that run's");
        Console.WriteLine("baseline s (the same baseline as above), × csv = median of each run's export s / its csv-wide export s; format s = the");
        Console.WriteLine("rows formatted alone (to Stream.Null, Parquet's compression included); long files have a row per audience and day.");
        var table = new List<string[]>
        {
            new[] { "size", "format", "file MB", "data rows", "export s", "export CPU s", "format s", "ratio", "× csv", "target", "peak WS MiB" },
        };
        foreach (var r in results)
        {
            foreach (var format in formats)
            {
                var exports = r.Of(format);
                if (exports.Count == 0)
                {
                    continue;
                }

                var versusCsv = Median(exports.Zip(r.Exports, (e, csv) => e.Seconds / csv.Seconds));
                var target = format != BenchmarkFormat.CsvWide && targets.TryGetValue(r.Size, out var t) ? t : (double?)null;
                table.Add(
                [
                    r.Size.ToString(),
                    format.Key,
                    F($"{exports[0].Bytes / 1e6:F1}"),
                    F($"{exports[0].Rows:N0}"),
                    Spread(exports.Select(e => e.Seconds)),
                    F($"{Median(exports.Select(e => e.CpuSeconds)):F2}"),
                    F($"{Median(exports.Select(e => e.Phases.FormatSeconds)):F3}"),
                    F($"{Median(exports.Zip(r.Baseline, (e, b) => e.Seconds / b)):F2}×"),
                    F($"{versusCsv:F2}×"),
                    target is { } goal ? F($"≤ {goal:F1}× csv {(versusCsv <= goal ? "PASS" : "MISS")}") : "-",
                    F($"{exports.Max(e => e.PeakWorkingSetBytes) / 1048576.0:F0}"),
                ]);
            }
        }

        WriteTable(table);
        if (results.Count >= 2)
        {
            var largest = results.MaxBy(r => r.Size.Cells)!;
            var smallest = results.MinBy(r => r.Size.Cells)!;
            foreach (var format in formats.Where(f => largest.Of(f).Count > 0 && smallest.Of(f).Count > 0))
            {
                var difference = (Median(largest.Of(format).Select(e => (double)e.PeakWorkingSetBytes)) -
                    Median(smallest.Of(format).Select(e => (double)e.PeakWorkingSetBytes))) / 1048576.0;
                Console.WriteLine(F(
                    $"peak memory (medians) {format} {largest.Size} - {smallest.Size}: {difference:F0} MiB (target ≤ {memoryTargetMiB} MiB) {(difference <= memoryTargetMiB ? "PASS" : "MISS")}"));
            }
        }
    }

    private static void WriteTable(List<string[]> table)
    {
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        foreach (var row in table)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }
    }

    private static string Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return F($"{sorted[0]:F2} / {Median(sorted):F2} / {sorted[^1]:F2}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
