using System.Net;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>
/// Which otherwise refused networks (loopback, private, link-local, ...) SFTP/FTP destinations may reach.
/// Section <c>NetworkGuard</c>; empty by default, so only public addresses are reachable.
/// </summary>
public sealed class NetworkGuardOptions
{
    public const string SectionName = "NetworkGuard";

    /// <summary>CIDRs such as <c>10.20.0.0/16</c> or <c>127.0.0.1/32</c>.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    internal static IEnumerable<string> Validate(NetworkGuardOptions options)
    {
        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            if (!TryParseNetwork(options.AllowedNetworks[i], out _))
            {
                yield return $"AllowedNetworks:{i} '{options.AllowedNetworks[i]}' is not a CIDR network such as 10.0.0.0/8 or fd00::/8 (the address must have no bits set past the prefix).";
            }
        }
    }

    /// <summary>
    /// A CIDR whose address has no bits past the prefix: <c>10.0.0.1/8</c> is refused rather than silently widened,
    /// since whoever wrote it probably meant a single host.
    /// </summary>
    internal static bool TryParseNetwork(string? value, out IPNetwork network)
    {
        network = default;
        var parts = (value ?? string.Empty).Trim().Split('/');
        return parts.Length == 2
            && IPAddress.TryParse(parts[0], out var address)
            && IPNetwork.TryParse(value!.Trim(), out network)
            && network.BaseAddress.Equals(address);
    }
}
