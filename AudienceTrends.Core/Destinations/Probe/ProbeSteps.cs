using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Thrown by <see cref="ProbeSteps"/> once a step has failed and been recorded: the probe stops there.</summary>
public sealed class ProbeStoppedException() : Exception("A destination test step failed.");

/// <summary>
/// Runs and records a probe's steps in order, timing each; the first failure is recorded and stops the probe. A probe
/// gives the whole test its budget (<see cref="Limit"/>: the destination's connect plus operation timeouts) and each
/// timed step its own limit; a step ends at its limit, at the budget's end or when the request is cancelled, even when
/// its client ignores the token.
/// </summary>
public sealed class ProbeSteps(TimeProvider time, CancellationToken requestAborted = default) : IDisposable
{
    private readonly List<ProbeStep> _steps = [];
    private CancellationTokenSource? _budget;
    private CancellationTokenSource? _token;
    private TimeSpan _budgetLength;

    public IReadOnlyList<ProbeStep> Steps => _steps;

    /// <summary>Cancelled when the budget ends or the request is cancelled: what every step's work is bound to.</summary>
    public CancellationToken Token => _token?.Token ?? requestAborted;

    /// <summary>
    /// Cancelled only when the budget ends: for the clean-up after a failed or cancelled step, which must still
    /// remove the probe file when the caller has gone, yet end within the budget.
    /// </summary>
    public CancellationToken CleanUpToken => _budget?.Token ?? CancellationToken.None;

    /// <summary>Starts the whole test's budget; call once, before the first step.</summary>
    public void Limit(TimeSpan budget)
    {
        _budgetLength = budget;
        _budget = new CancellationTokenSource(budget, time);
        _token = CancellationTokenSource.CreateLinkedTokenSource(_budget.Token, requestAborted);
    }

    public Task RunAsync(string name, Func<Task<string>> step) =>
        RunAsync(name, async () => (0, await step()));

    public async Task<T> RunAsync<T>(string name, Func<Task<(T Value, string Detail)>> step)
    {
        var started = time.GetTimestamp();
        try
        {
            var (value, detail) = await step();
            _steps.Add(new ProbeStep(name, true, Elapsed(started), detail));
            return value;
        }
        catch (Exception e) when (e is not ProbeStoppedException)
        {
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
        using var stepLimit = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stepLimit.Token, Token);
        var running = operation(linked.Token);
        try
        {
            return await running.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException e) when (linked.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
            _ = running.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new TimeoutException(stepLimit.IsCancellationRequested
                ? $"No answer within {limit}, the destination's timeout for this step; check that the host and port are reachable from the service and that the server answers."
                : $"The test ran out of its time ({_budgetLength}, the destination's connect plus operation timeouts); check that the server answers promptly.", e);
        }
    }

    public void Dispose()
    {
        _token?.Dispose();
        _budget?.Dispose();
    }

    /// <summary>
    /// A failure's own words when they are known to hold no secret: the kinds' refusals (written for users), the
    /// service's own timeouts and network errors (which name at most a host); anything else by its type only.
    /// </summary>
    private static string Explain(Exception e) => e switch
    {
        ExportFailedException refused => refused.Message,
        TimeoutException timeout => timeout.Message,
        OperationCanceledException => "The step did not finish within the destination's timeout; check that the host and port are reachable from the service.",
        SocketException socket => $"The network refused or dropped the connection ({socket.SocketErrorCode}); check the host, the port and any firewall.",
        IOException or HttpRequestException => $"The connection failed ({e.GetType().Name}: {e.Message}).",
        _ => $"The step failed ({e.GetType().Name}).",
    };

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;
}
