namespace AudienceTrends.Core.Accounts;

/// <summary>Accounts and their API keys. Section <c>Accounts</c>.</summary>
public sealed class AccountsOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Accounts, one partition each (the account's row and one row per key it owns, for its key list).</summary>
    public string AccountsTableName { get; set; } = "accounts";

    /// <summary>API keys, one partition per key id, so authenticating a request is one point read.</summary>
    public string KeysTableName { get; set; } = "apikeys";

    /// <summary>Keys an account may have that are not revoked (rotation needs two at a time).</summary>
    public int MaxKeysPerAccount { get; set; } = 10;

    /// <summary>
    /// The account that owns what was stored before accounts existed: job rows of the old single partition, their
    /// queue messages and saved SFTP keys created through the API. Nothing else can reach them.
    /// </summary>
    public string LegacyAccount { get; set; } = "demo";

    /// <summary><see cref="LegacyAccount"/> as an id (valid once the options are validated).</summary>
    public AccountId LegacyAccountId => AccountId.Parse(LegacyAccount);

    /// <summary>Where the client address for a key's allowed networks comes from (see <see cref="ClientAddressSource"/>).</summary>
    public ClientAddressSource ClientAddress { get; set; } = ClientAddressSource.ClientIpHeader;

    internal IEnumerable<string> Validate()
    {
        foreach (var (setting, name) in new[] { (nameof(AccountsTableName), AccountsTableName), (nameof(KeysTableName), KeysTableName) })
        {
            if (string.IsNullOrEmpty(name) || name.Length is < 3 or > 63 || !char.IsAsciiLetter(name[0]) || !name.All(char.IsAsciiLetterOrDigit))
            {
                yield return $"{setting} must be 3 to 63 letters and digits, starting with a letter.";
            }
        }

        if (string.Equals(AccountsTableName, KeysTableName, StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{nameof(KeysTableName)} must differ from {nameof(AccountsTableName)}.";
        }

        if (AccountId.Problem(LegacyAccount ?? "") is { } legacyProblem)
        {
            yield return $"{nameof(LegacyAccount)} {legacyProblem}";
        }

        if (MaxKeysPerAccount is < 1 or > 100)
        {
            yield return $"{nameof(MaxKeysPerAccount)} must be between 1 and 100.";
        }

        if (!Enum.IsDefined(ClientAddress))
        {
            yield return $"{nameof(ClientAddress)} must be {nameof(ClientAddressSource.ClientIpHeader)} or {nameof(ClientAddressSource.Connection)}.";
        }
    }
}

/// <summary>
/// Where the caller's address comes from. In Azure the request reaches the worker through two proxies (the App Service
/// front end, then the Functions host), so the connection's address is not the client's; the front end writes the
/// address of the connection it accepted into the <c>Client-IP</c> header (<c>ip:port</c>) and overwrites any
/// <c>Client-IP</c> the client sent, so a client cannot choose it. <c>X-Forwarded-For</c> is not used: the front end
/// appends to whatever list the client sent, and which entry the worker's forwarded-headers step ends up trusting
/// depends on the hops in between. Behind Azure Front Door or another proxy, <c>Client-IP</c> is that proxy's
/// address, and allowed networks must name the proxy's networks (or be left empty).
/// </summary>
public enum ClientAddressSource
{
    /// <summary>The App Service front end's <c>Client-IP</c> header (the default, for Azure).</summary>
    ClientIpHeader,

    /// <summary>The TCP connection's remote address: for a host that clients reach directly.</summary>
    Connection,
}
