using System.Net;
using AudienceTrends.Core.Common.Telemetry;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Storage;

/// <summary>
/// Queues an area watches (its work queue, the host's <c>-poison</c> queue and the <c>-poison-poison</c> queue nothing
/// reads): each area registers its own with <see cref="QueueDepthsRegistration.AddMonitoredQueues"/>.
/// </summary>
public sealed record MonitoredQueues(IReadOnlyList<string> Names)
{
    /// <summary>A work queue and the poison queues the Functions host moves its failing messages to.</summary>
    public static MonitoredQueues WithPoison(string queue) => new([queue, queue + "-poison", queue + "-poison-poison"]);
}

/// <summary>What a queue held when read: its approximate message count and the age of its oldest visible message.</summary>
public sealed record QueueState(string Name, long Depth, TimeSpan? OldestAge, bool Exists);

/// <summary>
/// Reads every monitored queue (two requests each: its properties, and a peek at its first visible message), for the
/// queue gauges (<see cref="AppMetrics.QueueDepth"/>, <see cref="AppMetrics.QueueOldestAge"/>) and the health check.
/// A queue that does not exist yet is empty. Azure's own queue metric is hourly and account-wide; this is per queue.
/// </summary>
public sealed class QueueDepths(StorageClients storage, IEnumerable<MonitoredQueues> monitored, AppMetrics metrics, TimeProvider time)
{
    public IReadOnlyList<string> Names { get; } = monitored.SelectMany(m => m.Names).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Reads every queue; throws when storage cannot be reached.</summary>
    public async Task<IReadOnlyList<QueueState>> ReadAsync(CancellationToken cancellationToken)
    {
        var states = new List<QueueState>();
        foreach (var name in Names)
        {
            states.Add(await ReadAsync(name, cancellationToken));
        }

        return states;
    }

    /// <summary>Reads every queue and records what it found for the gauges.</summary>
    public async Task<IReadOnlyList<QueueState>> ObserveAsync(CancellationToken cancellationToken)
    {
        var states = await ReadAsync(cancellationToken);
        foreach (var state in states)
        {
            metrics.ObserveQueue(state.Name, state.Depth, state.OldestAge);
        }

        return states;
    }

    private async Task<QueueState> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var queue = storage.Queues.GetQueueClient(name);
        try
        {
            var properties = await queue.GetPropertiesAsync(cancellationToken);
            var depth = properties.Value.ApproximateMessagesCount;
            if (depth == 0)
            {
                return new QueueState(name, 0, null, Exists: true);
            }

            var first = (await queue.PeekMessagesAsync(1, cancellationToken)).Value.FirstOrDefault();
            var age = first?.InsertedOn is { } inserted ? time.GetUtcNow() - inserted : (TimeSpan?)null;
            return new QueueState(name, depth, age < TimeSpan.Zero ? TimeSpan.Zero : age, Exists: true);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return new QueueState(name, 0, null, Exists: false);
        }
    }
}

public static class QueueDepthsRegistration
{
    /// <summary>Adds <paramref name="queues"/> (read from options when the container is built) to the monitored queues.</summary>
    public static IServiceCollection AddMonitoredQueues(this IServiceCollection services, Func<IServiceProvider, MonitoredQueues> queues)
    {
        services.AddSingleton(queues);
        services.AddAppTelemetry();
        services.TryAddSingleton<QueueDepths>();
        return services;
    }
}
