using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Makes a name exclusive for the <see cref="KeyVaultSftpKeyStore"/>, which Key Vault cannot do (a secret write always
/// succeeds, replacing whatever held the name): a row per name in the <c>SftpKeys:TableName</c> table of the app's
/// storage account, inserted before the secret is written. The table's insert is atomic, so of two creates of one name
/// only one gets the row; the other is refused before it touches the vault.
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

    /// <summary>True when this call now holds <paramref name="name"/> (matched ignoring case); false when another does.</summary>
    public async Task<bool> TryReserveAsync(string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        return await _table.TryAddEntityAsync(new TableEntity(Partition, RowKey(name)) { ["Name"] = name }, cancellationToken);
    }

    /// <summary>Frees <paramref name="name"/>; nothing happens when it was not reserved.</summary>
    public async Task ReleaseAsync(string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        try
        {
            await _table.DeleteEntityAsync(Partition, RowKey(name), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not reserved (a key created before reservations existed): nothing to free.
        }
    }

    /// <summary>Names are letters, digits and dashes (<see cref="SftpKeyRequest.NameProblem"/>): valid row keys as they are.</summary>
    private static string RowKey(string name) => name.ToLowerInvariant();
}
