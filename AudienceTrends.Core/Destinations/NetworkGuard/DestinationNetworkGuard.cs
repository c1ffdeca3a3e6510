using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>
/// Resolves a destination host and returns the one address to connect to, refusing addresses inside the service's
/// own or other non-public networks (loopback, private, CGNAT, link-local including cloud metadata, unique-local,
/// multicast, documentation and other reserved ranges, and every address of the instance's own interfaces, see
/// <see cref="OwnAddresses"/>) unless configured in <see cref="NetworkGuardOptions.AllowedNetworks"/>. Callers connect to the
/// returned address, never to the name again, so a second DNS answer cannot slip past the check.
/// </summary>
public sealed class DestinationNetworkGuard
{
    private static readonly IPNetwork[] RefusedNetworks =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network", includes the unspecified address
        IPNetwork.Parse("168.63.129.16/32"),   // Azure's platform address (wire server, DNS, health probes)
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),      // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, includes the 169.254.169.254 metadata endpoint
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),       // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"),     // deprecated 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),    // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"),     // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, includes 255.255.255.255 broadcast
        IPNetwork.Parse("::/96"),              // unspecified, loopback and the deprecated IPv4-compatible form
        IPNetwork.Parse("::ffff:0:0:0/96"),    // IPv4-translated addresses (SIIT), which embed an IPv4 address
        IPNetwork.Parse("64:ff9b:1::/48"),     // local-use NAT64: translates to whatever IPv4 network the operator chose
        IPNetwork.Parse("100::/64"),           // discard-only
        IPNetwork.Parse("2001::/32"),          // Teredo: tunnels to an IPv4 address embedded (obfuscated) in the address
        IPNetwork.Parse("2001:2::/48"),        // benchmarking
        IPNetwork.Parse("2001:10::/28"),       // deprecated ORCHID
        IPNetwork.Parse("2001:20::/28"),       // ORCHIDv2: cryptographic identifiers, not routable
        IPNetwork.Parse("2001:db8::/32"),      // documentation
        IPNetwork.Parse("3fff::/20"),          // documentation
        IPNetwork.Parse("5f00::/16"),          // SRv6 segment identifiers
        IPNetwork.Parse("fc00::/7"),           // unique-local
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // deprecated site-local
        IPNetwork.Parse("ff00::/8"),           // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Translated = IPNetwork.Parse("::ffff:0:0:0/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly IPNetwork[] _allowed;
    private readonly IHostResolver _resolver;
    private readonly OwnAddresses _own;

    public DestinationNetworkGuard(IOptions<NetworkGuardOptions> options, IHostResolver resolver, OwnAddresses own)
    {
        _resolver = resolver;
        _own = own;
        _allowed = options.Value.AllowedNetworks
            .Select(n => NetworkGuardOptions.TryParseNetwork(n, out var network) ? network : (IPNetwork?)null)
            .OfType<IPNetwork>()
            .ToArray();
    }

    /// <summary>
    /// The address to connect to for <paramref name="host"/>: the first resolved address that is allowed.
    /// Throws <see cref="ExportFailedException"/> (<see cref="ErrorCodes.HostNotAllowed"/>) when none is.
    /// DNS failures propagate as they are (a retry may fix them).
    /// </summary>
    /// <param name="user">Named in the refusal so the user recognises the destination; never a secret.</param>
    public async Task<IPAddress> ResolveAsync(string host, int port, CancellationToken cancellationToken, string? user = null)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await _resolver.ResolveAsync(host, cancellationToken);

        foreach (var address in addresses)
        {
            if (IsAllowed(address))
            {
                return address;
            }
        }

        // The addresses a name resolved to are not shown: the answer must not turn the service into a lookup tool
        // for internal names.
        throw new ExportFailedException(
            ErrorCodes.HostNotAllowed,
            $"The destination {host}:{port}{(user is null ? "" : $" (user '{user}')")} does not resolve to a public address; " +
            "the service does not connect to private, loopback, link-local, reserved or platform addresses, nor to its own. " +
            "An operator can allow such a network with the NetworkGuard:AllowedNetworks setting.");
    }

    /// <summary>True when <paramref name="address"/> is public, or inside a configured allowed network.</summary>
    public bool IsAllowed(IPAddress address)
    {
        var candidates = Unwrap(address).ToList();
        if (candidates.Any(c => _allowed.Any(n => n.Contains(c))))
        {
            return true;
        }

        return !candidates.Any(c => IsRefused(c) || _own.Contains(c));
    }

    /// <summary>True when <paramref name="address"/> is inside a configured allowed network (not merely public).</summary>
    public bool IsInAllowedNetwork(IPAddress address) => Unwrap(address).Any(c => _allowed.Any(n => n.Contains(c)));

    private static bool IsRefused(IPAddress address) =>
        address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        || RefusedNetworks.Any(n => n.Contains(address));

    /// <summary>
    /// The address itself plus any IPv4 address it embeds (mapped, translated, NAT64, 6to4, ISATAP), each checked on
    /// its own. Teredo hides its IPv4 address and is refused whole.
    /// </summary>
    private static IEnumerable<IPAddress> Unwrap(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            yield return address.MapToIPv4();
            yield break;
        }

        yield return address;
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            yield break;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || Translated.Contains(address))
        {
            yield return new IPAddress(bytes.AsSpan(12, 4));
        }
        else if (SixToFour.Contains(address))
        {
            yield return new IPAddress(bytes.AsSpan(2, 4));
        }

        if (IsIsatap(bytes))
        {
            yield return new IPAddress(bytes.AsSpan(12, 4));
        }
    }

    /// <summary>
    /// An ISATAP interface id (<c>::0:5efe:a.b.c.d</c>, <c>::200:5efe:a.b.c.d</c>, with any universal/group bits) under
    /// any prefix: the host tunnels to the embedded IPv4 address.
    /// </summary>
    private static bool IsIsatap(byte[] bytes) =>
        (bytes[8] & 0xFC) == 0 && bytes[9] == 0 && bytes[10] == 0x5E && bytes[11] == 0xFE;
}
