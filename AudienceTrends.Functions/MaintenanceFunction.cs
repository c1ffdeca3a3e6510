using AudienceTrends.Core.Jobs;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>Hourly: purge jobs older than 60 days and files older than 30, re-queue stalled jobs.</summary>
public sealed class MaintenanceFunction(JobMaintenance maintenance)
{
    public const string Schedule = "0 17 * * * *";

    [Function(nameof(RunMaintenance))]
    public Task RunMaintenance([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        maintenance.RunAsync(cancellationToken);
}
