using System.Security.Cryptography;
using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Deterministic CSV-like bytes of a chosen size for destination tests, read through a stream that, like the real
/// export stream, cannot seek and has no length. <see cref="Bytes"/> and <see cref="Sha256"/> say what the
/// delivered file must equal; <see cref="FailAfter"/> makes the stream throw part-way, as a dying export would.
/// </summary>
public sealed class GeneratedContent
{
    private GeneratedContent(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));

    /// <summary>Lines like <c>audience-000042,123,456,...</c> until <paramref name="size"/> bytes.</summary>
    public static GeneratedContent OfSize(int size)
    {
        var bytes = new byte[size];
        var random = new Random(size);
        var position = 0;
        var line = 0;
        while (position < size)
        {
            var text = $"audience-{line++:D6},{random.Next(100_000)},{random.Next(100_000)},{random.Next(100_000)}\n";
            foreach (var c in text)
            {
                if (position == size)
                {
                    break;
                }

                bytes[position++] = (byte)c;
            }
        }

        return new GeneratedContent(bytes);
    }

    public static GeneratedContent Of(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A fresh non-seekable stream over the content, optionally failing after <paramref name="failAfter"/> bytes.</summary>
    public Stream OpenRead(long? failAfter = null) => new ForwardOnlyStream(Bytes, failAfter);

    public Stream FailAfter(long bytes) => OpenRead(bytes);

    /// <summary>Forward-only like the export stream the destinations read (no length, no seeking).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes, long? failAfter) : ForwardReadStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            if (failAfter is { } limit && _position >= limit)
            {
                throw new IOException("The export stream failed part-way (simulated).");
            }

            var available = bytes.Length - _position;
            if (failAfter is { } cap)
            {
                available = (int)Math.Min(available, cap - _position);
            }

            var n = Math.Min(buffer.Length, available);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
