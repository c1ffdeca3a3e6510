using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>SFTP delivery settings. Section <c>Sftp</c>.</summary>
public sealed class SftpOptions
{
    public const string SectionName = "Sftp";

    /// <summary>Longest wait for the TCP connection, key exchange and login.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for any single SFTP request (a write, a rename, a directory creation).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Private keys held by the service, by the name a request gives in <c>savedKey</c>: OpenSSH or PEM text
    /// (in Azure, a Key Vault reference). Requests can only name a key, never send one.
    /// </summary>
    public Dictionary<string, string> SavedKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The servers each saved key may log in to, by key name (<c>Sftp:SavedKeyHosts:&lt;name&gt;</c>): host names or
    /// IP addresses as requests write <c>destination.server</c>, separated by commas or spaces, matched ignoring case.
    /// A key with no hosts listed is refused for every server.
    /// </summary>
    public Dictionary<string, string> SavedKeyHosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The accounts each saved key may be used by, by key name (<c>Sftp:SavedKeyAccounts:&lt;name&gt;</c>): account ids
    /// separated by commas or spaces, any case. A key with no accounts listed is usable by no account: to every other
    /// account it does not exist (not listed, 404 on read, "unknown key" when a request names it).
    /// </summary>
    public Dictionary<string, string> SavedKeyAccounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The hosts <paramref name="keyName"/> may be used for (see <see cref="SavedKeyHosts"/>); empty when none.</summary>
    public IReadOnlyCollection<string> HostsOf(string keyName) =>
        SavedKeyHosts.TryGetValue(keyName, out var hosts)
            ? hosts.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(NormalizeHost).ToHashSet()
            : [];

    /// <summary>Whether the settings hold a key named <paramref name="keyName"/> that <paramref name="account"/> may use (see <see cref="SavedKeyAccounts"/>).</summary>
    public bool MayUse(string keyName, AccountId account) =>
        SavedKeys.ContainsKey(keyName) && AccountEntries(keyName).Any(entry => AccountId.TryParse(entry, out var listed) && listed == account);

    private string[] AccountEntries(string keyName) =>
        SavedKeyAccounts.TryGetValue(keyName, out var accounts)
            ? accounts.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>How hosts are compared: lower case, without a final dot or IPv6 brackets.</summary>
    public static string NormalizeHost(string host) => host.Trim().TrimEnd('.').Trim('[', ']').ToLowerInvariant();

    internal static IEnumerable<string> Validate(SftpOptions options)
    {
        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "ConnectTimeout must be between 00:00:01 and 00:10:00.";
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromHours(1))
        {
            yield return "OperationTimeout must be between 00:00:01 and 01:00:00.";
        }

        foreach (var (name, key) in options.SavedKeys)
        {
            if (!Keys.SavedKeyText.TryLoad(key, out _))
            {
                // Never echo the value: it is a private key.
                yield return $"SavedKeys:{name} is not a readable unencrypted private key (OpenSSH or PEM text).";
            }
        }

        foreach (var name in options.SavedKeyHosts.Keys.Where(name => !options.SavedKeys.ContainsKey(name)))
        {
            yield return $"SavedKeyHosts:{name} names no key in SavedKeys.";
        }

        foreach (var name in options.SavedKeyAccounts.Keys.Where(name => !options.SavedKeys.ContainsKey(name)))
        {
            yield return $"SavedKeyAccounts:{name} names no key in SavedKeys.";
        }

        foreach (var name in options.SavedKeyAccounts.Keys)
        {
            foreach (var entry in options.AccountEntries(name).Where(entry => AccountId.Problem(entry) is not null))
            {
                // An account id is not a secret: quoting it back helps find the typo.
                yield return $"SavedKeyAccounts:{name} lists \"{entry}\", which is not an account id: an id {AccountId.Problem(entry)}";
            }
        }
    }
}
