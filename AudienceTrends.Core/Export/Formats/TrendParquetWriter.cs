using Parquet;
using Parquet.Schema;

namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// Parquet in the long layout, written with Parquet.Net: <c>audience</c> (string), <c>date</c> (DATE) and
/// <c>contact_count</c> (INT64), all required, a row per audience and day with a figure. Rows are gathered into row
/// groups of <see cref="FileFormatsOptions.ParquetRowGroupRows"/> and each is written out as it fills, so only one is
/// held; the columns are compressed inside the file (<see cref="FileFormatsOptions.ParquetCompression"/>). A file
/// without rows has the schema and no row group.
/// </summary>
public sealed class TrendParquetWriter(FileFormatsOptions options) : ITrendFileWriter
{
    private static readonly DataField<string> AudienceField = new("audience", false);
    private static readonly DataField<DateOnly> DateField = new("date", false);
    private static readonly DataField<long> CountField = new("contact_count", false);
    private static readonly ParquetSchema Schema = new(AudienceField, DateField, CountField);

    public async Task<int> WriteAsync(
        Stream output,
        DateOnly firstDay,
        DateOnly lastDay,
        IAsyncEnumerable<AudienceTrend> trends,
        Action<int>? onAudiencesWritten,
        CancellationToken cancellationToken)
    {
        var days = new TrendDays(firstDay, lastDay);
        var progress = TrendDays.Progress(onAudiencesWritten);
        var group = new RowGroup(options.ParquetRowGroupRows);
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = options.ParquetCompression == FileFormatsOptions.Snappy ? CompressionMethod.Snappy : CompressionMethod.Zstd,
            // The library's default is the smallest size (zstd's top level): 30 times slower on these columns (dictionary
            // and plain encoded already) for a file no smaller; the fastest level keeps Parquet at the CSV's pace.
            CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
        };

        var rows = 0;
        var positioned = new PositionStream(output);
        await using (var writer = await ParquetWriter.CreateAsync(Schema, positioned, parquetOptions, append: false, cancellationToken))
        {
            await foreach (var trend in trends.WithCancellation(cancellationToken))
            {
                days.Check(trend);
                for (var day = 0; day < days.Count; day++)
                {
                    if (trend.DailyCounts[day] is not { } count)
                    {
                        continue;
                    }

                    group.Add(trend.Audience, days.FirstDay.AddDays(day), count);
                    rows++;
                    if (group.IsFull)
                    {
                        await group.WriteAsync(writer, cancellationToken);
                    }
                }

                progress.Audience();
            }

            await group.WriteAsync(writer, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        progress.Finish();
        return rows;
    }

    /// <summary>The rows of the row group being gathered, a column each.</summary>
    private sealed class RowGroup(int capacity)
    {
        private readonly string[] _audiences = new string[capacity];
        private readonly DateOnly[] _dates = new DateOnly[capacity];
        private readonly long[] _counts = new long[capacity];
        private int _rows;

        public bool IsFull => _rows == capacity;

        public void Add(string audience, DateOnly date, long count)
        {
            _audiences[_rows] = audience;
            _dates[_rows] = date;
            _counts[_rows] = count;
            _rows++;
        }

        /// <summary>Writes the gathered rows as one row group, if there are any, and starts the next.</summary>
        public async Task WriteAsync(ParquetWriter writer, CancellationToken cancellationToken)
        {
            if (_rows == 0)
            {
                return;
            }

            using (var rowGroup = writer.CreateRowGroup())
            {
                await rowGroup.WriteAsync(AudienceField, new ArraySegment<string>(_audiences, 0, _rows));
                await rowGroup.WriteAsync<DateOnly>(DateField, new ReadOnlyMemory<DateOnly>(_dates, 0, _rows), cancellationToken: cancellationToken);
                await rowGroup.WriteAsync<long>(CountField, new ReadOnlyMemory<long>(_counts, 0, _rows), cancellationToken: cancellationToken);
                rowGroup.CompleteValidate();
            }

            Array.Clear(_audiences, 0, _rows);
            _rows = 0;
        }
    }
}
