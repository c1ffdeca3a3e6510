using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>
/// The upload's content as the client library reads it, once and in order: the count and CRC32C of the bytes read,
/// which the last chunk's <c>x-goog-hash</c> header carries so that GCS refuses an object whose bytes differ.
/// </summary>
internal sealed class HashedStream(Stream inner) : ForwardReadStream
{
    private uint _crc = ~0u;

    public long BytesRead { get; private set; }

    /// <summary>Base64 of the big-endian CRC32C (Castagnoli) of everything read so far, as GCS writes it.</summary>
    public string Crc32C
    {
        get
        {
            var checksum = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(checksum, ~_crc);
            return Convert.ToBase64String(checksum);
        }
    }

    public override int Read(Span<byte> buffer)
    {
        var count = inner.Read(buffer);
        Hash(buffer[..count]);
        return count;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var count = await inner.ReadAsync(buffer, cancellationToken);
        Hash(buffer.Span[..count]);
        return count;
    }

    private void Hash(ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            _crc = BitOperations.Crc32C(_crc, word);
        }

        foreach (var b in bytes[(words.Length * sizeof(ulong))..])
        {
            _crc = BitOperations.Crc32C(_crc, b);
        }

        BytesRead += bytes.Length;
    }
}
