using System.Net;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>Host name resolution for destinations: DNS in the app; tests substitute their own names.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
