namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Where the keys created through the API live, chosen by <c>SftpKeys:Store</c>: <see cref="TableSftpKeyStore"/>
/// (the job table's storage account, private key encrypted under <c>SecretProtection:Key</c>) or
/// <see cref="KeyVaultSftpKeyStore"/> (a Key Vault secret per key). Names are matched ignoring case.
/// </summary>
public interface ISftpKeyStore
{
    /// <summary>Stores a new key; false when the name is taken (also by a deleted key the store still reserves).</summary>
    Task<bool> AddAsync(SftpKey key, string privateKey, CancellationToken cancellationToken);

    Task<SftpKey?> GetAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<SftpKey>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The private key text, or null when there is no such key.</summary>
    Task<string?> GetPrivateKeyAsync(string name, CancellationToken cancellationToken);

    /// <summary>False when there was no such key.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
