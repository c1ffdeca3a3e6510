namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// The request's <c>layout</c>: <see cref="Wide"/> (a row per audience, a column per day: the reference's CSV) or
/// <see cref="Long"/> (a row per audience and day with a figure: <c>audience</c>, <c>date</c>, <c>contact_count</c>,
/// the same shape whatever the timeframe, so a warehouse loads it without a schema change).
/// </summary>
public static class ExportLayout
{
    public const string Wide = "wide";
    public const string Long = "long";

    public static IReadOnlyList<string> All { get; } = [Wide, Long];

    /// <summary>The layout of a request that names none: wide for csv (as the reference), long for jsonl and parquet.</summary>
    public static string DefaultFor(string format) => format == ExportFile.Csv ? Wide : Long;

    /// <summary>Why <paramref name="layout"/> cannot be written as <paramref name="format"/>, or null when it can.</summary>
    public static string? Refusal(string format, string layout) => format == ExportFile.Parquet && layout == Wide
        ? "must be \"long\" for parquet: a column per day would change the table's schema with every timeframe."
        : null;

    /// <summary>Why <paramref name="compression"/> cannot be applied to <paramref name="format"/>, or null when it can.</summary>
    public static string? CompressionRefusal(string format, string compression) =>
        format == ExportFile.Parquet && compression == ExportFile.GzipCompression
            ? "must be \"none\" for parquet: a Parquet file compresses its own columns, and a gzipped one no reader loads as it is."
            : null;
}
