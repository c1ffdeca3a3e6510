namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// The bytes of a text file not yet handed to its stream, for the writers that format rows by hand: a caller checks
/// <see cref="Free"/> (or calls <see cref="MakeRoomAsync"/>) before a row, then appends without further checks.
/// </summary>
internal sealed class RowBuffer(int size)
{
    /// <summary>The buffer's usual size: a flush hands the stream at most about this much at once.</summary>
    public const int DefaultBytes = 64 * 1024;

    /// <summary>The most bytes a count takes, with a separator: <c>,-9223372036854775808</c>.</summary>
    public const int MaxCountBytes = 21;

    private byte[] _bytes = new byte[size];
    private int _length;

    public int Free => _bytes.Length - _length;

    /// <summary>Flushes when fewer than <paramref name="bytes"/> are free, and grows when even an empty buffer is too small.</summary>
    public async ValueTask MakeRoomAsync(int bytes, Stream output, CancellationToken cancellationToken)
    {
        if (Free >= bytes)
        {
            return;
        }

        await FlushAsync(output, cancellationToken);
        if (Free < bytes)
        {
            Array.Resize(ref _bytes, bytes);
        }
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_bytes.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Append(byte value) => _bytes[_length++] = value;

    public void Append(long value)
    {
        value.TryFormat(_bytes.AsSpan(_length), out var written, default, null);
        _length += written;
    }

    public async ValueTask FlushAsync(Stream output, CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await output.WriteAsync(_bytes.AsMemory(0, _length), cancellationToken);
            _length = 0;
        }
    }
}
