using System.Threading.Channels;
using AudienceTrends.LocalHost;
using AudienceTrends.LocalHost.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.LocalHost;

/// <summary>
/// The local host's timer on a clock whose timers fire a millisecond before their due time by the wall clock, as a
/// loaded machine's do: each occurrence still runs once (it ran twice, so the timer test failed now and then).
/// </summary>
public sealed class TimerScheduleTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task A_timer_that_wakes_just_before_its_due_time_runs_that_occurrence_once(CancellationToken testTime)
    {
        var clock = new EarlyTimers(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 500, TimeSpan.Zero)));
        var ticks = Channel.CreateUnbounded<TimerInfo>();
        await using var services = new ServiceCollection().AddSingleton(ticks).BuildServiceProvider();
        var invoker = new FunctionInvoker(services, NullLoggerFactory.Instance, clock);
        var listener = new TimerTriggerListener(
            TimerProbe.Metadata("*/1 * * * * *", runOnStartup: false), "*/1 * * * * *", invoker, NullLogger.Instance, clock);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(testTime);
        var running = listener.RunAsync(stop.Token);

        await clock.WaitForTimersAsync(1, testTime);
        clock.Time.Advance(TimeSpan.FromMilliseconds(499)); // the timer for 00:00:01 fires at 00:00:00.999
        var first = await ticks.Reader.ReadAsync(testTime);
        await clock.WaitForTimersAsync(2, testTime);
        clock.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await ticks.Reader.ReadAsync(testTime);
        await stop.CancelAsync();
        await running;

        Assert.That(first.ScheduleStatus!.LastUpdated, Is.EqualTo(new DateTime(2026, 1, 1, 0, 0, 1)));
        Assert.That(second.ScheduleStatus!.LastUpdated, Is.EqualTo(new DateTime(2026, 1, 1, 0, 0, 2)), "the next occurrence, not 00:00:01 again");
    }

    /// <summary>Fake time whose timers fire one millisecond early; counts the timers created.</summary>
    private sealed class EarlyTimers(FakeTimeProvider time) : TimeProvider
    {
        private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(1);
        private int _created;

        public FakeTimeProvider Time => time;

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => time.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            return time.CreateTimer(callback, state, dueTime > Early ? dueTime - Early : dueTime, period);
        }

        public async Task WaitForTimersAsync(int count, CancellationToken cancellationToken)
        {
            while (Volatile.Read(ref _created) < count)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
    }
}
