using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Makes a name exclusive for the <see cref="KeyVaultSftpKeyStore"/>, which Key Vault cannot do (a secret write always
/// succeeds, replacing whatever held the name): a row per name in the <c>SftpKeys:TableName</c> table of the app's
/// storage account, inserted before the secret is written. The table's insert is atomic, so of two creates of one name
/// only one gets the row; the other is refused before it touches the vault. Names are reserved per account (row key
/// <c>&lt;account&gt;:&lt;name&gt;</c>): two accounts may hold one name. Rows written before accounts existed (row key the
/// name alone) are the reservations of the legacy keys; <see cref="KeyVaultSftpKeyStore"/> frees them with
/// <see cref="ReleaseLegacyAsync"/> when the legacy account deletes such a key.
/// </summary>
public sealed class KeyNameReservations
{
    private const string Partition = "keyvault-name";

    private readonly TableClient _table;
    private readonly StorageResource _resource;

    public KeyNameReservations(StorageClients storage, IOptions<SftpKeysOptions> options)
    {
        _table = storage.Tables.GetTableClient(options.Value.TableName);
        _resource = StorageResource.For(_table);
    }

    /// <summary>True when this call now holds <paramref name="name"/> (matched ignoring case) for <paramref name="account"/>; false when another does.</summary>
    public async Task<bool> TryReserveAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        return await _table.TryAddEntityAsync(
            new TableEntity(Partition, RowKey(account, name)) { ["Name"] = name, ["Account"] = account.Value }, cancellationToken);
    }

    /// <summary>Frees <paramref name="name"/> of <paramref name="account"/>; nothing happens when it was not reserved.</summary>
    public Task ReleaseAsync(AccountId account, string name, CancellationToken cancellationToken) =>
        ReleaseAsync(RowKey(account, name), cancellationToken);

    /// <summary>Frees the reservation of a key created before accounts existed; nothing happens when there is none.</summary>
    public Task ReleaseLegacyAsync(string name, CancellationToken cancellationToken) => ReleaseAsync(name.ToLowerInvariant(), cancellationToken);

    private async Task ReleaseAsync(string rowKey, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        try
        {
            await _table.DeleteEntityAsync(Partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not reserved (a key created before reservations existed): nothing to free.
        }
    }

    /// <summary>
    /// Names and account ids are letters, digits and dashes (<see cref="SftpKeyRequest.NameProblem"/>,
    /// <see cref="AccountId"/>): valid row keys, and the colon between them appears in neither.
    /// </summary>
    private static string RowKey(AccountId account, string name) => $"{account.Value}:{name.ToLowerInvariant()}";
}
