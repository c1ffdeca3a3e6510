using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Keys in a table of the job table's storage account (<c>SftpKeys:TableName</c>), one row per key. The public key,
/// fingerprint, hosts and creation time are plain columns; the private key is only in <c>EncryptedPrivateKey</c>,
/// AES-256-GCM under <c>SecretProtection:Key</c> (<see cref="SecretProtector"/>) bound to the key's name, so a
/// ciphertext copied onto another row does not decrypt.
/// </summary>
public sealed class TableSftpKeyStore : ISftpKeyStore
{
    private const string Partition = "sftpkey";
    private const string EncryptedColumn = "EncryptedPrivateKey";

    private readonly TableClient _table;
    private readonly StorageResource _resource;
    private readonly SecretProtector _protector;

    public TableSftpKeyStore(StorageClients storage, IOptions<SftpKeysOptions> options, SecretProtector protector)
    {
        _table = storage.Tables.GetTableClient(options.Value.TableName);
        _resource = StorageResource.For(_table);
        _protector = protector;
    }

    public async Task<bool> AddAsync(SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var rowKey = RowKey(key.Name);
        var entity = new TableEntity(Partition, rowKey)
        {
            ["Name"] = key.Name,
            ["PublicKey"] = key.PublicKey,
            ["Fingerprint"] = key.Fingerprint,
            ["Hosts"] = string.Join(' ', key.Hosts),
            ["Created"] = key.Created,
            [EncryptedColumn] = _protector.Protect(new PrivateKeySecret { PrivateKey = privateKey }, AssociatedData(rowKey)),
        };
        return await _table.TryAddEntityAsync(entity, cancellationToken);
    }

    public async Task<SftpKey?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(name), cancellationToken: cancellationToken);
        return row.HasValue ? ToKey(row.Value!) : null;
    }

    public async Task<IReadOnlyList<SftpKey>> ListAsync(CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var keys = new List<SftpKey>();
        var select = new[] { "Name", "PublicKey", "Fingerprint", "Hosts", "Created" };
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, select: select, cancellationToken: cancellationToken))
        {
            keys.Add(ToKey(row));
        }

        return keys;
    }

    public async Task<string?> GetPrivateKeyAsync(string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(
            Partition, RowKey(name), [EncryptedColumn], cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var payload = _protector.Unprotect(row.Value!.GetString(EncryptedColumn), AssociatedData(RowKey(name)));
        if (payload is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PrivateKeySecret>(payload)?.PrivateKey;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        try
        {
            var response = await _table.DeleteEntityAsync(Partition, RowKey(name), ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private static string RowKey(string name) => name.ToLowerInvariant();

    private static string AssociatedData(string rowKey) => "sftpkey:" + rowKey;

    private static SftpKey ToKey(TableEntity row) => new()
    {
        Name = row.GetString("Name"),
        PublicKey = row.GetString("PublicKey"),
        Fingerprint = row.GetString("Fingerprint"),
        Hosts = (row.GetString("Hosts") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Created = row.GetDateTimeOffset("Created"),
        Source = SftpKeySource.Api,
    };

    /// <summary>The private key as the payload <see cref="SecretProtector"/> encrypts (it takes destination credentials).</summary>
    private sealed record PrivateKeySecret : DestinationSecrets
    {
        [JsonInclude]
        public string? PrivateKey { get; init; }

        protected override bool HasValues => PrivateKey is not null;
    }
}
