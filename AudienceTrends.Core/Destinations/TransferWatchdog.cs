namespace AudienceTrends.Core.Destinations;

/// <summary>
/// Ends a transfer that makes no progress for its configured timeout, and one whose caller cancels: some clients
/// ignore their own timeouts and the token once the peer stops reading (SSH.NET's blocking waits, FtpWebRequest's
/// asynchronous writes). Progress is every read of the content (<see cref="Watch"/>) and whatever the client reports
/// (<see cref="Progress"/>); the clock stops while the content itself is being produced, since a slow export is not a
/// stalled destination. On a stall or a cancellation <see cref="Token"/> is cancelled, the abort action runs once (it
/// must only close the client's connections, quickly) and <see cref="GuardAsync"/> stops waiting for the stuck
/// operation at once, throwing a <see cref="TimeoutException"/> (retryable) or the caller's cancellation.
/// </summary>
public sealed class TransferWatchdog : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string _peer;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenRegistration _abort;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private long _lastProgress;
    private int _producing;
    private bool _disposed;

    /// <param name="peer">Who stopped answering, for the message: "The SFTP server 10.0.0.5:22".</param>
    public TransferWatchdog(TimeSpan timeout, TimeProvider time, string peer, Action abort, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        (_timeout, _time, _peer, _callerToken) = (timeout, time, peer, cancellationToken);
        _lastProgress = time.GetTimestamp();
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _abort = _cancellation.Token.Register(abort);
        var period = timeout / 4;
        _timer = time.CreateTimer(_ => Check(), null, period, period);
    }

    /// <summary>Cancelled on a stall or when the caller's token is; give it to every call of the transfer.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool Stalled { get; private set; }

    public void Progress() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary><paramref name="content"/>, reporting each read as progress and stopping the clock while a read waits.</summary>
    public Stream Watch(Stream content) => new WatchedStream(content, this);

    /// <summary>Awaits <paramref name="operation"/>, but no longer than the transfer may stall or the caller waits.</summary>
    public async Task GuardAsync(Task operation)
    {
        try
        {
            await operation.WaitAsync(Token);
        }
        catch (Exception e) when (Stalled || _callerToken.IsCancellationRequested)
        {
            // The abort makes a stuck operation fail later; its error is no longer anybody's concern.
            _ = operation.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw Failure(e);
        }
        finally
        {
            Progress();
        }
    }

    private Exception Failure(Exception error) =>
        Stalled ? new TimeoutException($"{_peer} made no progress for {_timeout}; the upload was abandoned.", error)
        : _callerToken.IsCancellationRequested ? new OperationCanceledException("The upload was cancelled.", error, _callerToken)
        : error;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
        _abort.Dispose();
        _cancellation.Dispose();
    }

    private void Check()
    {
        lock (_gate)
        {
            if (_disposed || Stalled || Volatile.Read(ref _producing) > 0
                || _time.GetElapsedTime(Volatile.Read(ref _lastProgress)) < _timeout)
            {
                return;
            }

            Stalled = true;
            _cancellation.Cancel();
        }
    }

    private sealed class WatchedStream(Stream inner, TransferWatchdog watchdog) : ForwardReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            Interlocked.Increment(ref watchdog._producing);
            try
            {
                return inner.Read(buffer);
            }
            finally
            {
                Produced();
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref watchdog._producing);
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            finally
            {
                Produced();
            }
        }

        private void Produced()
        {
            watchdog.Progress();
            Interlocked.Decrement(ref watchdog._producing);
        }
    }
}
