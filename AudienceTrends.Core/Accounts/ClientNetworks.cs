using System.Net;

namespace AudienceTrends.Core.Accounts;

/// <summary>Allowed client networks of a key (CIDR, IPv4 and IPv6) and the client address they are checked against.</summary>
public static class ClientNetworks
{
    /// <summary>The header the App Service front end sets (see <see cref="ClientAddressSource"/>).</summary>
    public const string FrontEndHeader = "Client-IP";

    /// <summary>
    /// A CIDR such as <c>203.0.113.0/24</c> or <c>2001:db8::/32</c>, or a single address (a /32 or /128). An address
    /// with bits set past the prefix (<c>203.0.113.7/24</c>) is refused rather than silently widened: whoever wrote it
    /// probably meant one host.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (!IPAddress.TryParse(text, out var single) || !IsPlainAddress(text))
            {
                return false;
            }

            single = Normalize(single);
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IsPlainAddress(text[..slash])
            && IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            && IPNetwork.TryParse(text, out network)
            && network.BaseAddress.Equals(address);
    }

    /// <summary>Whether <paramref name="client"/> (null: unknown) is in one of the networks; no networks allow any client.</summary>
    public static bool Allows(IReadOnlyList<IPNetwork> networks, IPAddress? client)
    {
        if (networks.Count == 0)
        {
            return true;
        }

        if (client is null)
        {
            return false;
        }

        var address = Normalize(client);
        return networks.Any(n => n.Contains(address));
    }

    /// <summary>
    /// The address in a <c>Client-IP</c> value: <c>203.0.113.7:51234</c>, <c>[2001:db8::7]:443</c>, or an address
    /// alone. Null when the value is missing, repeated or not an address.
    /// </summary>
    public static IPAddress? ParseClientIp(IReadOnlyList<string?> values) =>
        values.Count == 1 && values[0] is { Length: > 0 and <= 64 } value && IPEndPoint.TryParse(value.Trim(), out var endpoint)
            ? Normalize(endpoint.Address)
            : null;

    /// <summary>An IPv4 client seen through an IPv6 socket (<c>::ffff:203.0.113.7</c>) is the IPv4 address; scope ids are dropped.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes())
        : address;

    // IPAddress.TryParse also takes "10", "10.1" and "0x0a.1": only dotted quads and IPv6 text are networks here.
    private static bool IsPlainAddress(string text) =>
        text.Contains(':', StringComparison.Ordinal)
            ? text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            : text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit));
}
