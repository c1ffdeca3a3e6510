using AudienceTrends.Core.Jobs;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// Every minute, and once when the app starts: queues the jobs whose worker died (their lease ran out) so another
/// worker takes them over (<see cref="ExpiredLeaseSweep"/>).
/// </summary>
public sealed class LeaseSweepFunction(ExpiredLeaseSweep sweep)
{
    public const string Schedule = "0 * * * * *";

    [Function(nameof(SweepExpiredLeases))]
    public Task SweepExpiredLeases([TimerTrigger(Schedule, RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
