namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// The long CSV (RFC 4180, UTF-8 without BOM, CRLF): <c>audience,date,contact_count</c>, then a row per audience and
/// day that has a figure (a day without one has no row), audiences in request order and days in order. Names follow
/// <see cref="CsvField"/>'s rules, as in the wide file; each is formatted once per audience.
/// </summary>
public sealed class TrendCsvLongWriter : ITrendFileWriter
{
    private const int RowBytes = 1 + TrendDays.DateBytes + RowBuffer.MaxCountBytes + 2;

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
        var buffer = new RowBuffer(RowBuffer.DefaultBytes);
        buffer.Append("audience,date,contact_count\r\n"u8);
        var name = new byte[256];
        var rows = 0;
        await foreach (var trend in trends.WithCancellation(cancellationToken))
        {
            days.Check(trend);
            if (name.Length < CsvField.MaxBytes(trend.Audience))
            {
                name = new byte[CsvField.MaxBytes(trend.Audience)];
            }

            var nameLength = CsvField.Write(trend.Audience, name);
            for (var day = 0; day < days.Count; day++)
            {
                if (trend.DailyCounts[day] is not { } count)
                {
                    continue;
                }

                if (buffer.Free < nameLength + RowBytes)
                {
                    await buffer.MakeRoomAsync(nameLength + RowBytes, output, cancellationToken);
                }

                buffer.Append(name.AsSpan(0, nameLength));
                buffer.Append((byte)',');
                buffer.Append(days.Date(day));
                buffer.Append((byte)',');
                buffer.Append(count);
                buffer.Append("\r\n"u8);
                rows++;
            }

            progress.Audience();
        }

        await buffer.FlushAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
        progress.Finish();
        return rows;
    }
}
