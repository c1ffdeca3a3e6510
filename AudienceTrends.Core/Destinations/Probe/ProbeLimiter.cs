using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// Admits a destination test or says how long to wait: at most <see cref="DestinationTestOptions.MaxConcurrent"/> at
/// once, <see cref="DestinationTestOptions.PerAccount"/> per account and <see cref="DestinationTestOptions.PerHost"/>
/// per target host in each <see cref="DestinationTestOptions.Window"/>. The HTTP adapter passes the id of the account
/// whose API key the request carries, so the address a client connects from or claims changes nothing.
/// </summary>
public sealed class ProbeLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _accounts;
    private readonly PartitionedRateLimiter<string> _hosts;
    private readonly ConcurrencyLimiter _running;
    private readonly TimeSpan _busyRetryAfter;

    public ProbeLimiter(IOptions<DestinationTestOptions> options)
    {
        var o = options.Value;
        _accounts = Windowed(o.PerAccount, o.Window);
        _hosts = Windowed(o.PerHost, o.Window);
        _running = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = o.MaxConcurrent, QueueLimit = 0 });
        _busyRetryAfter = TimeSpan.FromSeconds(Math.Min(o.Timeout.TotalSeconds, 10));
    }

    /// <summary>
    /// A permit to run one test for <paramref name="account"/> (dispose it when the test ends), or the wait to tell
    /// the caller. A refused test uses none of the other limits' permits except those counted before the refusal.
    /// </summary>
    public Admission TryAdmit(string account, string? targetHost)
    {
        var running = _running.AttemptAcquire();
        if (!running.IsAcquired)
        {
            running.Dispose();
            return Admission.Refused("Too many destination tests are running; try again shortly.", _busyRetryAfter);
        }

        using (var byAccount = _accounts.AttemptAcquire(account))
        {
            if (!byAccount.IsAcquired)
            {
                running.Dispose();
                return Admission.Refused("Too many destination tests from this account; try again later.", RetryAfter(byAccount));
            }
        }

        if (targetHost is not null)
        {
            using var byHost = _hosts.AttemptAcquire(targetHost.ToLowerInvariant());
            if (!byHost.IsAcquired)
            {
                running.Dispose();
                return Admission.Refused("Too many destination tests against this host; try again later.", RetryAfter(byHost));
            }
        }

        return new Admission(running, null, TimeSpan.Zero);
    }

    public void Dispose()
    {
        _accounts.Dispose();
        _hosts.Dispose();
        _running.Dispose();
    }

    private static PartitionedRateLimiter<string> Windowed(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
}

/// <summary>A running test's permit (<see cref="Lease"/>, disposed when it ends), or why not and how long to wait.</summary>
public sealed record Admission(IDisposable? Lease, string? Refusal, TimeSpan RetryAfter) : IDisposable
{
    public bool Admitted => Lease is not null;

    public static Admission Refused(string why, TimeSpan retryAfter) => new(null, why, retryAfter);

    public void Dispose() => Lease?.Dispose();
}
