namespace AudienceTrends.Core.Export.Formats;

/// <summary>How the file formats are written. Section <c>FileFormats</c>.</summary>
public sealed class FileFormatsOptions
{
    public const string SectionName = "FileFormats";

    public const string Zstd = "zstd";
    public const string Snappy = "snappy";

    /// <summary>The column compression inside a Parquet file: <c>zstd</c> (smaller) or <c>snappy</c> (faster, most widely read).</summary>
    public string ParquetCompression { get; set; } = Zstd;

    /// <summary>Rows per Parquet row group: the writer holds one row group at a time, so this bounds its memory.</summary>
    public int ParquetRowGroupRows { get; set; } = 50_000;

    /// <summary>Every problem with these options, each naming its setting.</summary>
    public static IEnumerable<string> Validate(FileFormatsOptions options)
    {
        if (options.ParquetCompression is not (Zstd or Snappy))
        {
            yield return "ParquetCompression must be zstd or snappy.";
        }

        if (options.ParquetRowGroupRows is < 1_000 or > 1_000_000)
        {
            yield return "ParquetRowGroupRows must be between 1000 and 1000000.";
        }
    }
}
