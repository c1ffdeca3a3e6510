using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Where the keys created through the API live, chosen by <c>SftpKeys:Store</c>: <see cref="TableSftpKeyStore"/>
/// (the job table's storage account, private key encrypted under <c>SecretProtection:Key</c>) or
/// <see cref="KeyVaultSftpKeyStore"/> (a Key Vault secret per key). Every key is one account's: each method sees only
/// the keys of the account it is given, and another account's key is as absent as one never created (two accounts
/// may hold keys of one name). Names are matched ignoring case.
/// </summary>
public interface ISftpKeyStore
{
    /// <summary>Stores a new key of <paramref name="account"/>; false when the account's name is taken (also by a deleted key the store still reserves).</summary>
    Task<bool> AddAsync(AccountId account, SftpKey key, string privateKey, CancellationToken cancellationToken);

    Task<SftpKey?> GetAsync(AccountId account, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<SftpKey>> ListAsync(AccountId account, CancellationToken cancellationToken);

    /// <summary>The private key text, or null when the account has no such key.</summary>
    Task<string?> GetPrivateKeyAsync(AccountId account, string name, CancellationToken cancellationToken);

    /// <summary>False when the account had no such key.</summary>
    Task<bool> DeleteAsync(AccountId account, string name, CancellationToken cancellationToken);
}
