using System.Diagnostics;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Health;

/// <summary>One dependency's answer: reachable or not, how long it took, and (operators only) what was seen.</summary>
public sealed record HealthCheck(string Name, bool Healthy, long Milliseconds, string Detail);

/// <summary>
/// The service's health: every check, each monitored queue, and the age of the oldest message waiting in the work
/// queue (the oldest queued job); <see cref="Healthy"/> when every check passed.
/// </summary>
public sealed record HealthReport(
    bool Healthy, DateTimeOffset CheckedAt, IReadOnlyList<HealthCheck> Checks, IReadOnlyList<QueueState> Queues, TimeSpan? OldestQueuedJobAge);

/// <summary>
/// Checks what a job needs: storage (the job table answers), the queues (each monitored queue, poison queues
/// included, can be read) and SQL (the contract's table answers), each within <see cref="CheckTimeout"/>. A report is
/// reused for <see cref="CacheFor"/>, so the anonymous health route cannot be used to load storage or the database.
/// Why a check failed goes to the logs; the report names only the exception's type.
/// </summary>
public sealed class ServiceHealth(
    StorageClients storage,
    QueueDepths queues,
    DatabaseHealth database,
    IOptions<JobsOptions> jobs,
    TimeProvider time,
    ILogger<ServiceHealth> logger)
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private Task<HealthReport>? _last;

    public Task<HealthReport> CheckAsync()
    {
        lock (_gate)
        {
            if (_last is null || (_last.IsCompleted && (!_last.IsCompletedSuccessfully || time.GetUtcNow() - _last.Result.CheckedAt >= CacheFor)))
            {
                _last = CheckNowAsync();
            }

            return _last;
        }
    }

    private async Task<HealthReport> CheckNowAsync()
    {
        var checkedAt = time.GetUtcNow();
        IReadOnlyList<QueueState> states = [];
        var table = storage.Tables.GetTableClient(jobs.Value.TableName);
        var checks = await Task.WhenAll(
            RunAsync("storage", async token =>
            {
                try
                {
                    await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: token).AsPages(pageSizeHint: 1))
                    {
                        break;
                    }

                    return $"table {table.Name} answers";
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    return $"table {table.Name} answers (not created yet)";
                }
            }),
            RunAsync("queues", async token =>
            {
                states = await queues.ReadAsync(token);
                return $"{states.Count} queues answer";
            }),
            RunAsync("sql", async token =>
            {
                await database.CheckAsync(token);
                return "the database answers";
            }));
        var oldest = states.FirstOrDefault(s => s.Name == jobs.Value.QueueName)?.OldestAge;
        return new HealthReport(checks.All(c => c.Healthy), checkedAt, checks, states, oldest);
    }

    private async Task<HealthCheck> RunAsync(string name, Func<CancellationToken, Task<string>> check)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(CheckTimeout, time);
        try
        {
            var detail = await check(timeout.Token);
            return new HealthCheck(name, true, Elapsed(), detail);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Health check {Check} failed", name);
            return new HealthCheck(name, false, Elapsed(), timeout.IsCancellationRequested
                ? $"no answer within {CheckTimeout.TotalSeconds:0} s"
                : $"unreachable ({e.GetType().Name})");
        }

        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
