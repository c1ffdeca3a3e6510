using System.Text.Encodings.Web;
using System.Text.Json;

namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// JSON Lines (UTF-8 without BOM, one object and <c>\n</c> per line). Long: <c>{"audience":"a","date":"2021-07-16",
/// "contact_count":12}</c> per audience and day with a figure. Wide: <c>{"audience":"a","contact_counts":
/// {"2021-07-16":12,"2021-07-17":null,...}}</c> per audience, every day of the timeframe a key, null where there is no
/// figure. Names are JSON strings (<see cref="NameEncoder"/>), each encoded once per audience.
/// </summary>
public sealed class TrendJsonLinesWriter(string layout) : ITrendFileWriter
{
    /// <summary>
    /// Names as JSON escapes them minimally (quotes, backslashes, control characters), other characters as UTF-8: the
    /// file is data a loader reads, never HTML, so the HTML-safe escaping of the default encoder would only bloat it.
    /// </summary>
    private static readonly JavaScriptEncoder NameEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    // {"audience":"<name>","date":"<date>","contact_count":<count>}\n
    private const int LongRowBytes = 13 + 10 + TrendDays.DateBytes + 18 + RowBuffer.MaxCountBytes + 2;

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
        var wide = layout == ExportLayout.Wide;
        var wideRowBytes = days.Count * (TrendDays.DateBytes + 4 + RowBuffer.MaxCountBytes);
        var buffer = new RowBuffer(Math.Max(RowBuffer.DefaultBytes, 2 * wideRowBytes));
        var rows = 0;
        await foreach (var trend in trends.WithCancellation(cancellationToken))
        {
            days.Check(trend);
            var name = JsonEncodedText.Encode(trend.Audience, NameEncoder).EncodedUtf8Bytes.ToArray();
            if (wide)
            {
                await buffer.MakeRoomAsync(name.Length + wideRowBytes + 40, output, cancellationToken);
                buffer.Append("{\"audience\":\""u8);
                buffer.Append(name);
                buffer.Append("\",\"contact_counts\":{"u8);
                for (var day = 0; day < days.Count; day++)
                {
                    buffer.Append(day == 0 ? "\""u8 : ",\""u8);
                    buffer.Append(days.Date(day));
                    buffer.Append("\":"u8);
                    if (trend.DailyCounts[day] is { } count)
                    {
                        buffer.Append(count);
                    }
                    else
                    {
                        buffer.Append("null"u8);
                    }
                }

                buffer.Append("}}\n"u8);
                rows++;
            }
            else
            {
                rows += await WriteLongAsync(buffer, output, days, name, trend, cancellationToken);
            }

            progress.Audience();
        }

        await buffer.FlushAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
        progress.Finish();
        return rows;
    }

    private static async ValueTask<int> WriteLongAsync(
        RowBuffer buffer, Stream output, TrendDays days, ReadOnlyMemory<byte> name, AudienceTrend trend, CancellationToken cancellationToken)
    {
        var rows = 0;
        for (var day = 0; day < days.Count; day++)
        {
            if (trend.DailyCounts[day] is not { } count)
            {
                continue;
            }

            if (buffer.Free < name.Length + LongRowBytes)
            {
                await buffer.MakeRoomAsync(name.Length + LongRowBytes, output, cancellationToken);
            }

            buffer.Append("{\"audience\":\""u8);
            buffer.Append(name.Span);
            buffer.Append("\",\"date\":\""u8);
            buffer.Append(days.Date(day));
            buffer.Append("\",\"contact_count\":"u8);
            buffer.Append(count);
            buffer.Append("}\n"u8);
            rows++;
        }

        return rows;
    }
}
