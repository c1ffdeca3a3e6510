using AudienceTrends.Benchmark;

// Parent: `[size ...]` (default: every standard size) runs the whole benchmark and prints one table.
// Child: `--export <database> <size>` runs one export in a process of its own, so its peak working set is its own.
try
{
    if (args is ["--export", var database, var size])
    {
        await ExportRun.RunAsync(database, BenchmarkSize.Parse(size));
    }
    else
    {
        var sizes = args.Length == 0 ? BenchmarkSize.Standard : args.Select(BenchmarkSize.Parse).ToList();
        await BenchmarkRun.RunAsync(sizes);
    }

    return 0;
}
catch (Exception e) when (e is FormatException)
{
    await Console.Error.WriteLineAsync($"{e.Message}\nUsage: AudienceTrends.Benchmark [<audiences>x<days> ...]   e.g. 100x365 2000x365 10000x730");
    return 2;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"Benchmark failed: {e}");
    return 1;
}
