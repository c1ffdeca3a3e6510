using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Thrown by <see cref="ProbeSteps"/> once a step has failed and been recorded: the probe stops there.</summary>
public sealed class ProbeStoppedException() : Exception("A destination test step failed.");

/// <summary>
/// Runs and records a probe's steps in order, timing each; the first failure is recorded and stops the probe. The
/// whole test has one cap (<c>DestinationTest:Timeout</c>) from the start, which a probe may shorten with
/// <see cref="Limit"/> (the destination's connect plus operation timeouts); each timed step also has its own limit.
/// Every step, timed or not, ends at its limit, at the budget's end or when the request is cancelled, even when its
/// client ignores the token. The clean-up after a failure gets its own limit (<c>DestinationTest:CleanUpTimeout</c>),
/// starting when it starts, so a step that used up the budget still leaves time to remove the probe file.
/// </summary>
public sealed class ProbeSteps : IDisposable
{
    private readonly List<ProbeStep> _steps = [];
    private readonly TimeProvider _time;
    private readonly CancellationToken _requestAborted;
    private readonly CancellationTokenSource _budget;
    private readonly CancellationTokenSource _token;
    private readonly TimeSpan _cap;
    private readonly TimeSpan _cleanUpLimit;
    private CancellationTokenSource? _cleanUp;
    private TimeSpan _budgetLength;

    /// <param name="cap">The whole test's longest time, whatever the kind's timeouts.</param>
    /// <param name="cleanUpLimit">How long the clean-up may take once it starts.</param>
    public ProbeSteps(TimeProvider time, CancellationToken requestAborted = default, TimeSpan? cap = null, TimeSpan? cleanUpLimit = null)
    {
        (_time, _requestAborted) = (time, requestAborted);
        _cap = _budgetLength = cap ?? TimeSpan.FromSeconds(60);
        _cleanUpLimit = cleanUpLimit ?? TimeSpan.FromSeconds(30);
        _budget = new CancellationTokenSource(_cap, time);
        _token = CancellationTokenSource.CreateLinkedTokenSource(_budget.Token, requestAborted);
    }

    public IReadOnlyList<ProbeStep> Steps => _steps;

    /// <summary>The exception of the failed step, for the operators' log (never shown to the caller).</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Cancelled when the budget ends or the request is cancelled: what every step's work is bound to.</summary>
    public CancellationToken Token => _token.Token;

    /// <summary>
    /// Starts the clean-up's own limit and returns its token: cancelled only when that limit ends, so the clean-up
    /// after a failed, timed-out or cancelled step still removes the probe file when the caller has gone or the
    /// budget is spent, yet ends in bounded time.
    /// </summary>
    public CancellationToken StartCleanUp()
    {
        _cleanUp ??= new CancellationTokenSource(_cleanUpLimit, _time);
        return _cleanUp.Token;
    }

    /// <summary>Shortens the whole test's budget to <paramref name="budget"/> from now, never beyond the cap; call once, before the first step.</summary>
    public void Limit(TimeSpan budget)
    {
        if (budget < _cap)
        {
            _budgetLength = budget;
            _budget.CancelAfter(budget);
        }
    }

    /// <summary>A step without a limit of its own: it still ends at the budget's end or when the request is cancelled.</summary>
    public Task RunAsync(string name, Func<Task<string>> step) =>
        RunAsync(name, async () => (0, await WithinAsync(System.Threading.Timeout.InfiniteTimeSpan, _ => step())));

    public async Task<T> RunAsync<T>(string name, Func<Task<(T Value, string Detail)>> step)
    {
        var started = _time.GetTimestamp();
        try
        {
            var (value, detail) = await step();
            _steps.Add(new ProbeStep(name, true, Elapsed(started), detail));
            return value;
        }
        catch (Exception e) when (e is not ProbeStoppedException)
        {
            Failure = e;
            _steps.Add(new ProbeStep(name, false, Elapsed(started), Explain(e)));
            throw new ProbeStoppedException();
        }
    }

    /// <summary>A step that must end within <paramref name="limit"/> (and the budget); it gets the token to pass on.</summary>
    public Task RunAsync(string name, TimeSpan limit, Func<CancellationToken, Task<string>> step) =>
        RunAsync(name, limit, async token => (0, await step(token)));

    public Task<T> RunAsync<T>(string name, TimeSpan limit, Func<CancellationToken, Task<(T Value, string Detail)>> step) =>
        RunAsync(name, () => WithinAsync(limit, step));

    /// <summary>
    /// Runs <paramref name="operation"/> for at most <paramref name="limit"/> within the budget, turning either end into
    /// a <see cref="TimeoutException"/> that says which; an operation still running then is abandoned (its failure observed).
    /// </summary>
    public async Task<T> WithinAsync<T>(TimeSpan limit, Func<CancellationToken, Task<T>> operation)
    {
        using var stepLimit = limit == System.Threading.Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stepLimit.Token, Token);
        var running = operation(linked.Token);
        try
        {
            return await running.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException e) when (linked.IsCancellationRequested && !_requestAborted.IsCancellationRequested)
        {
            _ = running.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new TimeoutException(stepLimit.IsCancellationRequested
                ? $"No answer within {limit}, the destination's timeout for this step; check that the host and port are reachable from the service and that the server answers."
                : $"The test ran out of its time ({_budgetLength}, the destination's connect plus operation timeouts, at most DestinationTest:Timeout); check that the server answers promptly.", e);
        }
    }

    public void Dispose()
    {
        _token.Dispose();
        _budget.Dispose();
        _cleanUp?.Dispose();
    }

    /// <summary>
    /// What a failure means, never what the peer sent nor an exception's type or message (which may quote the peer,
    /// or name an operator's endpoint): the kinds' refusals (written for users, naming fields and settings), the
    /// service's own timeouts, and fixed sentences for network errors.
    /// </summary>
    private static string Explain(Exception e) => e switch
    {
        ExportFailedException refused => refused.Message,
        // The service's own timeouts (these steps' and the kinds' clients', e.g. FtpConnection's), which name at most
        // the destination as the request gave it.
        TimeoutException timeout => timeout.Message,
        OperationCanceledException => "The step did not finish within the destination's timeout; check that the host and port are reachable from the service.",
        SocketException socket => $"The network refused or dropped the connection ({socket.SocketErrorCode}); check the host, the port and any firewall.",
        IOException or HttpRequestException => "The connection failed or the server closed it; check the host, the port and that the server accepts connections from the service.",
        _ => "The step failed unexpectedly; the service's operators can find the cause in its logs.",
    };

    private long Elapsed(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;
}
