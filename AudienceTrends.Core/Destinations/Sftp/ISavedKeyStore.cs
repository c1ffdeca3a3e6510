using Microsoft.Extensions.Options;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>Private keys the service holds for SFTP logins, looked up by the name a request gives.</summary>
public interface ISavedKeyStore
{
    /// <summary>Whether the service holds a key named <paramref name="name"/> and it may log in to <paramref name="host"/>.</summary>
    SavedKeyUse Check(string name, string host);

    /// <summary>The key named <paramref name="name"/>, or null when the service holds no such key.</summary>
    Task<IPrivateKeySource?> FindAsync(string name, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ISavedKeyStore.Check"/> found.</summary>
public enum SavedKeyUse
{
    Allowed,
    UnknownKey,
    HostNotAllowed,
}

/// <summary>
/// Keys from configuration (<c>Sftp:SavedKeys:&lt;name&gt;</c>); in Azure each value is a Key Vault reference,
/// so the key lives in Key Vault and reaches the app as a setting without being stored anywhere else. Each key may
/// log in only to the hosts <c>Sftp:SavedKeyHosts:&lt;name&gt;</c> lists.
/// </summary>
public sealed class ConfigurationSavedKeyStore(IOptionsMonitor<SftpOptions> options) : ISavedKeyStore
{
    public SavedKeyUse Check(string name, string host)
    {
        var current = options.CurrentValue;
        return !current.SavedKeys.ContainsKey(name) ? SavedKeyUse.UnknownKey
            : current.HostsOf(name).Contains(SftpOptions.NormalizeHost(host)) ? SavedKeyUse.Allowed
            : SavedKeyUse.HostNotAllowed;
    }

    public Task<IPrivateKeySource?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var keys = options.CurrentValue.SavedKeys;
        var text = keys.TryGetValue(name, out var exact)
            ? exact
            : keys.FirstOrDefault(k => string.Equals(k.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        return Task.FromResult(text is not null && TryLoad(text, out var key) ? key : null);
    }

    internal static bool TryLoad(string text, out IPrivateKeySource? key)
    {
        try
        {
            // Settings sometimes carry the key with escaped line breaks; the key parser needs real ones.
            var normalized = text.Contains('\n', StringComparison.Ordinal) ? text : text.Replace("\\n", "\n", StringComparison.Ordinal);
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(normalized.Trim() + "\n"));
            key = new PrivateKeyFile(stream);
            return true;
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or ArgumentException or FormatException
                                      or InvalidOperationException or NotSupportedException
                                      or System.Security.Cryptography.CryptographicException)
        {
            key = null;
            return false;
        }
    }
}
