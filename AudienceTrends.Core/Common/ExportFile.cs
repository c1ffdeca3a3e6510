using System.IO.Compression;

namespace AudienceTrends.Core.Common;

/// <summary>
/// The delivered file's name, content type and encoding, decided here only: every destination writes what this says,
/// and the worker writes the file through <see cref="WriteAsync{T}"/>.
/// </summary>
public sealed record ExportFile(string Name, string ContentType)
{
    /// <summary>The request's <c>compression</c> values; <see cref="None"/> when absent.</summary>
    public const string None = "none";
    public const string GzipCompression = "gzip";

    /// <summary>The request's <c>exportType</c> values; <see cref="Csv"/> when absent.</summary>
    public const string Csv = "csv";
    public const string JsonLines = "jsonl";
    public const string Parquet = "parquet";

    private const string GzipSuffix = ".gz";
    private const string GzipContentType = "application/gzip";

    public static IReadOnlyList<string> Compressions { get; } = [None, GzipCompression];

    public static IReadOnlyList<string> Formats { get; } = [Csv, JsonLines, Parquet];

    /// <summary>
    /// The file of an export named <paramref name="exportName"/> in <paramref name="format"/>: <c>&lt;name&gt;.csv</c>
    /// (<c>text/csv</c>), <c>.jsonl</c> (<c>application/jsonl</c>) or <c>.parquet</c>
    /// (<c>application/vnd.apache.parquet</c>), with gzip <c>.gz</c> added (<c>application/gzip</c>). A null format or
    /// compression (rows written before they existed) is csv, none.
    /// </summary>
    public static ExportFile For(string exportName, string? format, string? compression)
    {
        var (extension, contentType) = format switch
        {
            JsonLines => (".jsonl", "application/jsonl"),
            Parquet => (".parquet", "application/vnd.apache.parquet"),
            _ => (".csv", "text/csv; charset=utf-8"),
        };
        return compression == GzipCompression
            ? new(exportName + extension + GzipSuffix, GzipContentType) { Gzip = true, Extension = extension + GzipSuffix }
            : new(exportName + extension, contentType) { Extension = extension };
    }

    /// <summary>A CSV export's file (<see cref="For(string, string?, string?)"/>).</summary>
    public static ExportFile For(string exportName, string? compression = null) => For(exportName, Csv, compression);

    /// <summary>Whether the file is gzip-compressed on its way (<see cref="WriteAsync{T}"/>).</summary>
    public bool Gzip { get; private init; }

    /// <summary>The file name's extension, with its dot: <c>.csv</c>, <c>.jsonl.gz</c>, <c>.parquet</c>...</summary>
    public string Extension
    {
        get => _extension ?? System.IO.Path.GetExtension(Name);
        private init => _extension = value;
    }

    private readonly string? _extension;

    /// <summary>
    /// Runs <paramref name="write"/> on the stream the file goes into: <paramref name="stored"/> itself, or a gzip
    /// compressor streaming into it (ended, trailer written, before this returns; <paramref name="stored"/> stays open).
    /// </summary>
    public async Task<T> WriteAsync<T>(Stream stored, Func<Stream, Task<T>> write)
    {
        if (!Gzip)
        {
            return await write(stored);
        }

        await using var gzip = new GZipStream(stored, CompressionLevel.Optimal, leaveOpen: true);
        var result = await write(gzip);
        await gzip.DisposeAsync();
        return result;
    }
}
