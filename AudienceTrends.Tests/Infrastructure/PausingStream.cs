using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Passes <paramref name="inner"/> through but stops after <paramref name="pauseAfter"/> bytes until
/// <see cref="Resume"/>, so a test can act on the server while an upload is surely half done.
/// </summary>
internal sealed class PausingStream(Stream inner, long pauseAfter) : ForwardReadStream
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;

    /// <summary>Completes when the pause point has been reached and the reader waits.</summary>
    public Task Paused => _paused.Task;

    public void Resume() => _resumed.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == pauseAfter)
        {
            _paused.TrySetResult();
            await _resumed.Task.WaitAsync(cancellationToken);
        }

        var limit = _position < pauseAfter ? (int)Math.Min(buffer.Length, pauseAfter - _position) : buffer.Length;
        var read = await inner.ReadAsync(buffer[..limit], cancellationToken);
        _position += read;
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        var chunk = new byte[buffer.Length];
        var read = ReadAsync(chunk).AsTask().GetAwaiter().GetResult();
        chunk.AsSpan(0, read).CopyTo(buffer);
        return read;
    }
}
