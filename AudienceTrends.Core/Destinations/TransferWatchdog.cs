using System.Collections.Concurrent;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.NetworkGuard;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// Ends a transfer that makes no progress for its configured timeout, and one whose caller cancels: some clients
/// ignore their own timeouts and the token once the peer stops reading (SSH.NET's blocking waits, FtpWebRequest's
/// asynchronous writes). Progress is every read of the content (<see cref="Watch"/>) and whatever the client reports
/// (<see cref="Progress"/>); the clock stops while the content itself is being produced, since a slow export is not a
/// stalled destination.
/// <para>
/// On a stall or a cancellation the watchdog aborts, in this order and from its own timer or the caller's
/// cancellation, never under a lock nor behind anybody else's callbacks: it closes every socket the transfer gave it
/// (<see cref="Own"/>) at once and abortively, which fails any send or receive stuck on them; it lets
/// <see cref="GuardAsync"/> stop waiting for the stuck operation, throwing a <see cref="TimeoutException"/> (retryable)
/// or the caller's cancellation; and only then, on the thread pool, it runs the client's own abort action and cancels
/// <see cref="Token"/>, whose third-party callbacks may block for as long as they like without holding up the abort.
/// </para>
/// </summary>
public sealed class TransferWatchdog : IDisposable
{
    private const int Running = 0;
    private const int StalledState = 1;
    private const int CancelledState = 2;
    private const int Ended = 3;

    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string _peer;
    private readonly Action _abort;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Socket> _sockets = new();
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _callerRegistration;
    private long _lastProgress;
    private int _producing;
    private int _state;

    /// <param name="peer">Who stopped answering, for the message: "The SFTP server 10.0.0.5:22".</param>
    /// <param name="abort">The client's own abort (closing its requests or connections); it runs on the thread pool,
    /// after the sockets given to <see cref="Own"/> are closed, and may block.</param>
    public TransferWatchdog(TimeSpan timeout, TimeProvider time, string peer, Action abort, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        (_timeout, _time, _peer, _abort, _callerToken) = (timeout, time, peer, abort, cancellationToken);
        _lastProgress = time.GetTimestamp();
        var period = timeout / 4;
        _timer = time.CreateTimer(static state => ((TransferWatchdog)state!).Check(), this, period, period);

        // Last: a token cancelled already aborts at once, and the abort needs everything above.
        _callerRegistration = cancellationToken.UnsafeRegister(static state => ((TransferWatchdog)state!).Abort(CancelledState), this);
    }

    /// <summary>Cancelled (shortly) after a stall or the caller's cancellation; give it to every call of the transfer.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool Stalled => Volatile.Read(ref _state) == StalledState;

    /// <summary>True once the transfer was abandoned (stalled or cancelled): its connections are closed.</summary>
    public bool Aborted => Volatile.Read(ref _state) is StalledState or CancelledState;

    public void Progress() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary>
    /// Makes <paramref name="socket"/>, a connection of the transfer, the first thing an abort closes (at once when the
    /// transfer was abandoned already). Closing it is what ends a send blocked on a peer that stopped reading.
    /// </summary>
    public void Own(Socket socket)
    {
        _sockets.Enqueue(socket);
        if (Aborted)
        {
            CloseSockets();
        }
    }

    /// <summary><paramref name="content"/>, reporting each read as progress and stopping the clock while a read waits.</summary>
    public Stream Watch(Stream content) => new WatchedStream(content, this);

    /// <summary>Awaits <paramref name="operation"/>, but no longer than the transfer may stall or the caller waits.</summary>
    public async Task GuardAsync(Task operation)
    {
        try
        {
            if (await Task.WhenAny(operation, _aborted.Task) != operation)
            {
                // The abort makes the stuck operation fail later; its error is no longer anybody's concern.
                Observe(operation);
                throw Failure(null);
            }

            try
            {
                await operation;
            }
            catch (Exception e) when (Aborted)
            {
                throw Failure(e);
            }
        }
        finally
        {
            Progress();
        }
    }

    public void Dispose()
    {
        // A later tick or cancellation finds the transfer ended and does nothing.
        var state = Interlocked.CompareExchange(ref _state, Ended, Running);
        _timer.Dispose();
        _callerRegistration.Dispose();
        if (state == Running)
        {
            // After an abort the token is being cancelled on the thread pool: it is left to the collector.
            _cancellation.Dispose();
        }
    }

    private Exception Failure(Exception? error) => Stalled
        ? new TimeoutException($"{_peer} made no progress for {_timeout}; the upload was abandoned.", error)
        : new OperationCanceledException("The upload was cancelled.", error, _callerToken);

    private void Check()
    {
        if (Volatile.Read(ref _state) == Running && Volatile.Read(ref _producing) == 0
            && _time.GetElapsedTime(Volatile.Read(ref _lastProgress)) >= _timeout)
        {
            Abort(StalledState);
        }
    }

    private void Abort(int reason)
    {
        if (Interlocked.CompareExchange(ref _state, reason, Running) != Running)
        {
            return;
        }

        CloseSockets();
        _aborted.TrySetResult();
        Observe(Task.Run(_abort));
        Observe(_cancellation.CancelAsync());
    }

    private void CloseSockets()
    {
        while (_sockets.TryDequeue(out var socket))
        {
            GuardedSocket.Abort(socket);
        }
    }

    private static void Observe(Task task) =>
        _ = task.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

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
