using CsvHelper;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Writes trends as RFC 4180 CSV (UTF-8 without BOM, CRLF): <c>audience,&lt;first day&gt;,...,&lt;last day&gt;</c>, then one
/// row per audience; a day without a figure is an empty cell. Streams: only CsvHelper's 64 KiB buffer is held.
/// </summary>
public sealed class TrendCsvWriter
{
    /// <summary>How often <c>onRowsWritten</c> is called, in data rows.</summary>
    public const int ProgressInterval = 100;

    // Names come from the database: a name like "=HYPERLINK(...)" is written as "'=HYPERLINK(...)" (quoted) so a
    // spreadsheet shows it as text instead of running it. Counts are numbers and are never touched.
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        NewLine = "\r\n",
        WriteByteOrderMark = false,
    };

    /// <summary>Writes the file and returns the number of data rows.</summary>
    /// <param name="onRowsWritten">Called with the running total of data rows every <see cref="ProgressInterval"/> rows and at the end.</param>
    public async Task<int> WriteAsync(
        Stream output,
        DateOnly firstDay,
        DateOnly lastDay,
        IAsyncEnumerable<AudienceTrend> trends,
        Action<int>? onRowsWritten,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastDay, firstDay);
        var dayCount = lastDay.DayNumber - firstDay.DayNumber + 1;

        await using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteField("audience");
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            csv.WriteField(day, "yyyy-MM-dd");
        }

        await csv.EndRecordAsync(cancellationToken);

        var rows = 0;
        var reported = 0;
        await foreach (var trend in trends.WithCancellation(cancellationToken))
        {
            if (trend.DailyCounts.Length != dayCount)
            {
                throw new ArgumentException(
                    $"Audience trend has {trend.DailyCounts.Length} daily counts; the timeframe has {dayCount} days.",
                    nameof(trends));
            }

            csv.WriteField(trend.Audience);
            foreach (var count in trend.DailyCounts)
            {
                csv.WriteField(count, default);
            }

            await csv.EndRecordAsync(cancellationToken);
            rows++;
            if (rows - reported >= ProgressInterval)
            {
                reported = rows;
                onRowsWritten?.Invoke(rows);
            }
        }

        await csv.FlushAsync(cancellationToken);
        if (rows != reported)
        {
            onRowsWritten?.Invoke(rows);
        }

        return rows;
    }
}
