using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>
/// The unicast addresses of this instance's own network interfaces, which the guard refuses like private ones: a
/// destination naming the instance's host name (or one of its public addresses) would otherwise reach the instance's
/// own ports. Read on first use and again after <see cref="RefreshInterval"/>, since an instance rarely changes them.
/// </summary>
public sealed class OwnAddresses
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    private readonly Func<IEnumerable<IPAddress>> _read;
    private readonly TimeProvider _time;
    private Snapshot? _snapshot;

    public OwnAddresses(TimeProvider time)
        : this(ReadInterfaces, time)
    {
    }

    /// <summary>For tests: <paramref name="read"/> stands in for the operating system's interface list.</summary>
    internal OwnAddresses(Func<IEnumerable<IPAddress>> read, TimeProvider time)
    {
        _read = read;
        _time = time;
    }

    /// <summary>True when <paramref name="address"/> is one of this instance's (IPv6 compared without its scope id).</summary>
    public bool Contains(IPAddress address) => Current().Contains(Normal(address));

    private HashSet<IPAddress> Current()
    {
        var now = _time.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || now - snapshot.ReadAt >= RefreshInterval)
        {
            // Two callers may read at once: both get the same answer, and either snapshot is fine to keep.
            snapshot = new Snapshot(_read().Select(Normal).ToHashSet(), now);
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot.Addresses;
    }

    private static IEnumerable<IPAddress> ReadInterfaces() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address);

    private static IPAddress Normal(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes())
        : address;

    private sealed record Snapshot(HashSet<IPAddress> Addresses, DateTimeOffset ReadAt);
}
