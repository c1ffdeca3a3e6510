using System.Runtime.CompilerServices;
using AudienceTrends.Core.Export.Formats;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Writes trends as RFC 4180 CSV (UTF-8 without BOM, CRLF): <c>audience,&lt;first day&gt;,...,&lt;last day&gt;</c>, then one
/// row per audience; a day without a figure is an empty cell. Streams: only one buffer of at least 64 KiB is held.
/// A file holds millions of counts, so each is formatted straight into the UTF-8 buffer: no per-field call of a
/// general CSV library (counts never need quoting). Names follow <see cref="CsvField"/>'s rules.
/// </summary>
public sealed class TrendCsvWriter : ITrendFileWriter
{
    /// <summary>How often <c>onRowsWritten</c> is called, in data rows.</summary>
    public const int ProgressInterval = 100;

    private const int BufferBytes = 64 * 1024;
    private const int MaxCountBytes = 21; // ",-9223372036854775808"

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

        // Room for two rows of counts, so a flush leaves most of the buffer free; a long name gets more on demand.
        var buffer = new Buffer(Math.Max(BufferBytes, 2 * dayCount * MaxCountBytes));
        buffer.Header(firstDay, dayCount);

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

            var rowBytes = CsvField.MaxBytes(trend.Audience) + (dayCount * MaxCountBytes) + 2;
            if (buffer.Free < rowBytes)
            {
                await buffer.FlushAsync(output, cancellationToken);
                buffer.EnsureFree(rowBytes);
            }

            buffer.Row(trend);
            rows++;
            if (rows - reported >= ProgressInterval)
            {
                reported = rows;
                onRowsWritten?.Invoke(rows);
            }
        }

        await buffer.FlushAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
        if (rows != reported)
        {
            onRowsWritten?.Invoke(rows);
        }

        return rows;
    }

    /// <summary>The bytes not yet handed to the stream.</summary>
    private sealed class Buffer(int size)
    {
        private byte[] _bytes = new byte[size];
        private int _length;

        public int Free => _bytes.Length - _length;

        public void EnsureFree(int bytes)
        {
            if (Free < bytes)
            {
                Array.Resize(ref _bytes, _length + bytes);
            }
        }

        public void Header(DateOnly firstDay, int dayCount)
        {
            EnsureFree("audience".Length + (dayCount * 11) + 2);
            Append("audience"u8);
            for (var day = 0; day < dayCount; day++)
            {
                _bytes[_length++] = (byte)',';
                firstDay.AddDays(day).TryFormat(_bytes.AsSpan(_length), out var written, "yyyy-MM-dd", null);
                _length += written;
            }

            Append("\r\n"u8);
        }

        /// <summary>One data row; the caller made room for it. Compiled optimised at once, as the SQLite reading is.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Row(AudienceTrend trend)
        {
            _length += CsvField.Write(trend.Audience, _bytes.AsSpan(_length));
            var span = _bytes.AsSpan();
            var at = _length;
            foreach (var count in trend.DailyCounts)
            {
                span[at++] = (byte)',';
                if (count is { } value)
                {
                    value.TryFormat(span[at..], out var written, default, null);
                    at += written;
                }
            }

            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
            _length = at;
        }

        public async ValueTask FlushAsync(Stream output, CancellationToken cancellationToken)
        {
            if (_length > 0)
            {
                await output.WriteAsync(_bytes.AsMemory(0, _length), cancellationToken);
                _length = 0;
            }
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_bytes.AsSpan(_length));
            _length += bytes.Length;
        }
    }
}
