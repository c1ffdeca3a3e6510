namespace AudienceTrends.Benchmark;

/// <summary>A file format and layout the export is measured in, written <c>csv-wide</c>, <c>csv-long</c>, <c>jsonl</c>, <c>parquet</c>.</summary>
public sealed record BenchmarkFormat(string Key, string ExportType, string Layout)
{
    /// <summary>The reference's CSV: the baseline's file and the formats' yardstick; always measured, first.</summary>
    public static readonly BenchmarkFormat CsvWide = new("csv-wide", "csv", "wide");

    public static readonly IReadOnlyList<BenchmarkFormat> All =
        [CsvWide, new("csv-long", "csv", "long"), new("jsonl", "jsonl", "long"), new("parquet", "parquet", "long")];

    /// <summary>Whether the file has a row per audience (wide) rather than per audience and day with a figure.</summary>
    public bool IsWide => Layout == "wide";

    public static BenchmarkFormat Parse(string key) => All.SingleOrDefault(f => f.Key == key)
        ?? throw new FormatException($"'{key}' is not a format: use {string.Join(", ", All.Select(f => f.Key))}.");

    public override string ToString() => Key;
}
