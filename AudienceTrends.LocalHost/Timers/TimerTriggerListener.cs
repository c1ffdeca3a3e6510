using AudienceTrends.LocalHost.Metadata;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace AudienceTrends.LocalHost.Timers;

/// <summary>
/// One timer-triggered function on its six-field NCRONTAB schedule (seconds first), read with NCrontab as the
/// Functions host reads it, in the machine's local time zone as <c>func</c> runs it. Runs once at start when the
/// binding sets <c>runOnStartup</c>. A failed run is logged and the schedule goes on, as in the host.
/// </summary>
public sealed class TimerTriggerListener
{
    private readonly FunctionMetadata _function;
    private readonly FunctionInvoker _invoker;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    public TimerTriggerListener(FunctionMetadata function, string schedule, FunctionInvoker invoker, ILogger logger, TimeProvider clock)
    {
        _function = function;
        _invoker = invoker;
        _logger = logger;
        _clock = clock;
        Expression = schedule;
        Schedule = CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidOperationException(
                $"{function.Name}: the schedule '{schedule}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}).");
    }

    public FunctionMetadata Function => _function;

    public string Expression { get; }

    public CrontabSchedule Schedule { get; }

    public async Task RunAsync(CancellationToken stopping)
    {
        var now = _clock.GetLocalNow().DateTime;
        _logger.LogInformation("The next 5 occurrences of the '{FunctionName}' schedule (Cron: '{Schedule}') will be:\n{Occurrences}",
            _function.LogName, Expression,
            string.Join("\n", Schedule.GetNextOccurrences(now, DateTime.MaxValue).Take(5).Select(o => o.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))));
        DateTime? last = null;
        if (_function.Trigger.RunOnStartup)
        {
            await RunOnceAsync(now, last, isPastDue: false, stopping);
            last = now;
        }

        while (!stopping.IsCancellationRequested)
        {
            // A timer may wake a little before its due time by the clock: the next occurrence is after the last one run.
            var current = _clock.GetLocalNow().DateTime;
            var due = Schedule.GetNextOccurrence(last > current ? last.Value : current);
            try
            {
                var wait = due - _clock.GetLocalNow().DateTime;
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _clock, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            await RunOnceAsync(due, last, isPastDue: _clock.GetLocalNow().DateTime - due > TimeSpan.FromSeconds(1), stopping);
            last = due;
        }
    }

    private async Task RunOnceAsync(DateTime due, DateTime? last, bool isPastDue, CancellationToken stopping)
    {
        var timer = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = Schedule.GetNextOccurrence(due), LastUpdated = due },
        };
        try
        {
            await _invoker.InvokeAsync(_function, Guid.NewGuid(), $"Timer fired at {due:O}", new Dictionary<string, object?> { [_function.Trigger.Name] = timer },
                null, stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested || e is OperationCanceledException)
        {
            // The invoker logged the failure with the invocation id; the next occurrence runs regardless. A run the
            // host's stop cancelled (a RunOnStartup run among them) ends the listener as the host stops, not with an error.
            _logger.LogDebug(e, "'{FunctionName}' failed at {Due:O}; waiting for the next occurrence", _function.LogName, due);
        }
    }
}
