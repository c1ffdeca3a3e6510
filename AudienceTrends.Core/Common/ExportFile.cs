using System.IO.Compression;

namespace AudienceTrends.Core.Common;

/// <summary>
/// The delivered file's name, content type and encoding, decided here only: every destination writes what this says,
/// and the worker writes the CSV through <see cref="WriteAsync{T}"/>.
/// </summary>
public sealed record ExportFile(string Name, string ContentType)
{
    /// <summary>The request's <c>compression</c> values; <see cref="None"/> when absent.</summary>
    public const string None = "none";
    public const string GzipCompression = "gzip";

    private const string CsvExtension = ".csv";
    private const string GzipExtension = ".csv.gz";
    private const string CsvContentType = "text/csv; charset=utf-8";

    public static IReadOnlyList<string> Compressions { get; } = [None, GzipCompression];

    /// <summary>
    /// The file of an export named <paramref name="exportName"/>: <c>&lt;name&gt;.csv</c>, or with gzip
    /// <c>&lt;name&gt;.csv.gz</c> (<c>application/gzip</c>). A null compression (rows written before it existed) is none.
    /// </summary>
    public static ExportFile For(string exportName, string? compression = null) => compression == GzipCompression
        ? new(exportName + GzipExtension, "application/gzip") { Gzip = true }
        : new(exportName + CsvExtension, CsvContentType);

    /// <summary>Whether the CSV is gzip-compressed on its way (<see cref="WriteAsync{T}"/>).</summary>
    public bool Gzip { get; private init; }

    /// <summary>The file name's extension, with its dot: <c>.csv</c>, or <c>.csv.gz</c>.</summary>
    public string Extension => Gzip ? GzipExtension : System.IO.Path.GetExtension(Name);

    /// <summary>
    /// Runs <paramref name="write"/> on the stream the CSV goes into: <paramref name="stored"/> itself, or a gzip
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
