using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Export.Formats;

/// <summary>The writer of each file format and layout (<see cref="ExportFile.Formats"/>, <see cref="ExportLayout"/>).</summary>
public sealed class TrendFileWriters(TrendCsvWriter csv, IOptions<FileFormatsOptions> options)
{
    private readonly TrendCsvLongWriter _csvLong = new();
    private readonly TrendJsonLinesWriter _jsonLong = new(ExportLayout.Long);
    private readonly TrendJsonLinesWriter _jsonWide = new(ExportLayout.Wide);
    private readonly TrendParquetWriter _parquet = new(options.Value);

    /// <summary>
    /// The writer of <paramref name="format"/> in <paramref name="layout"/>; null for either (a job stored before they
    /// existed) means csv and that format's default layout.
    /// </summary>
    public ITrendFileWriter For(string? format, string? layout)
    {
        format ??= ExportFile.Csv;
        layout ??= ExportLayout.DefaultFor(format);
        return (format, layout) switch
        {
            (ExportFile.Csv, ExportLayout.Wide) => csv,
            (ExportFile.Csv, ExportLayout.Long) => _csvLong,
            (ExportFile.JsonLines, ExportLayout.Long) => _jsonLong,
            (ExportFile.JsonLines, ExportLayout.Wide) => _jsonWide,
            (ExportFile.Parquet, ExportLayout.Long) => _parquet,
            _ => throw new ExportFailedException(ErrorCodes.InvalidJob,
                $"The job's file format ({format}, {layout} layout) cannot be written; submit the export again."),
        };
    }
}
