using AudienceTrends.Core.Schedules;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>Every minute: one scheduler pass, which turns the schedules' due slots into queued jobs (<see cref="Scheduler"/>).</summary>
public sealed class SchedulerFunction(Scheduler scheduler)
{
    public const string Schedule = "0 * * * * *";

    [Function(nameof(RunScheduler))]
    public Task RunScheduler([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.RunPassAsync(cancellationToken);
}
