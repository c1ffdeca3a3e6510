using AudienceTrends.Core.Accounts;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>
/// Private keys the service holds for SFTP logins, looked up by the name a request gives: implemented by
/// <see cref="Keys.SftpKeys"/>, which merges the keys from the settings with those created through the API. Every
/// lookup is an account's: a key it may not use (another account's, or a settings key not listed for it) is unknown.
/// </summary>
public interface ISavedKeyStore
{
    /// <summary>Whether <paramref name="account"/> has a key named <paramref name="name"/> and it may log in to <paramref name="host"/>.</summary>
    Task<SavedKeyUse> CheckAsync(AccountId account, string name, string host, CancellationToken cancellationToken);

    /// <summary>The key named <paramref name="name"/> that <paramref name="account"/> may use, or null when it has no such key.</summary>
    Task<IPrivateKeySource?> FindAsync(AccountId account, string name, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ISavedKeyStore.CheckAsync"/> found.</summary>
public enum SavedKeyUse
{
    Allowed,
    UnknownKey,
    HostNotAllowed,
}
