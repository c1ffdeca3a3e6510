using System.Globalization;
using AudienceTrends.Benchmark;

// Parent: `[--runs N] [--formats f,...] [size ...]` (default: 3 runs of every standard size, every format) runs the
// whole benchmark and prints tables.
// Children: `--export <database> <size> <format>` runs one export in a process of its own, so its peak working set is its own;
// `--intake <database> <creates> <concurrency> <runs>` measures the intake against its two storage writes.
// `--schedules` alone: one scheduler pass over 10,000 schedules, 1,000 due in the same minute (see ScheduleRun).
try
{
    switch (args)
    {
        case ["--export", var database, var size, var format]:
            await ExportRun.RunAsync(database, BenchmarkSize.Parse(size), BenchmarkFormat.Parse(format));
            break;
        case ["--intake", var database, var creates, var concurrency, var runs]:
            await IntakeRun.RunAsync(database, Count(creates), Count(concurrency), Count(runs));
            break;
        case ["--schedules"]:
            await ScheduleRun.RunAsync();
            break;
        default:
            var runCount = 3;
            var rest = args.ToList();
            if (rest.IndexOf("--runs") is var at and >= 0)
            {
                runCount = at + 1 < rest.Count ? Count(rest[at + 1]) : throw new FormatException("--runs needs a number.");
                rest.RemoveRange(at, 2);
            }

            var formats = BenchmarkFormat.All;
            if (rest.IndexOf("--formats") is var named and >= 0)
            {
                var keys = named + 1 < rest.Count ? rest[named + 1].Split(',') : throw new FormatException("--formats needs a list.");
                formats = [BenchmarkFormat.CsvWide, .. keys.Select(BenchmarkFormat.Parse).Where(f => f != BenchmarkFormat.CsvWide)];
                rest.RemoveRange(named, 2);
            }

            var sizes = rest.Count == 0 ? BenchmarkSize.Standard : rest.Select(BenchmarkSize.Parse).ToList();
            await BenchmarkRun.RunAsync(sizes, formats, runCount);
            break;
    }

    return 0;
}
catch (Exception e) when (e is FormatException)
{
    await Console.Error.WriteLineAsync(
        $"{e.Message}\nUsage: AudienceTrends.Benchmark [--runs N] [--formats csv-long,jsonl,parquet] [<audiences>x<days> ...]   e.g. --runs 5 1000x366 10000x730");
    return 2;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"Benchmark failed: {e}");
    return 1;
}

static int Count(string text) =>
    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
        ? value
        : throw new FormatException($"'{text}' is not a positive whole number.");
