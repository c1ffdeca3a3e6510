using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Keys in a table of the job table's storage account (<c>SftpKeys:TableName</c>), one row per key in one partition
/// per account (the account id; row key the lower-case name), with the account also in an <c>Account</c> column. The
/// public key, fingerprint, hosts and creation time are plain columns; the private key is only in
/// <c>EncryptedPrivateKey</c>, AES-256-GCM under <c>SecretProtection:Key</c> (<see cref="SecretProtector"/>) bound to
/// the account and the key's name, so a ciphertext copied onto another row or into another account does not decrypt.
/// <para>
/// Keys created before accounts existed are rows of the single partition <c>sftpkey</c> without an <c>Account</c>
/// column, their ciphertext bound to the name alone. They are the keys of <c>Accounts:LegacyAccount</c>
/// (<see cref="AccountsOptions.LegacyAccountId"/>): that account reads, lists, uses and deletes them after its own
/// partition (its own key of a name wins; it cannot create a name a legacy row holds), and no other account reaches
/// them (an account whose id is <c>sftpkey</c> sees only the rows carrying its id).
/// </para>
/// </summary>
public sealed class TableSftpKeyStore : ISftpKeyStore
{
    private const string LegacyPartition = AccountRequest.ReservedSftpKeyPartition;
    private const string AccountColumn = "Account";
    private const string EncryptedColumn = "EncryptedPrivateKey";
    private static readonly string[] Shown = ["Name", "PublicKey", "Fingerprint", "Hosts", "Created", AccountColumn];

    private readonly TableClient _table;
    private readonly StorageResource _resource;
    private readonly SecretProtector _protector;
    private readonly AccountId _legacyAccount;

    public TableSftpKeyStore(
        StorageClients storage, IOptions<SftpKeysOptions> options, SecretProtector protector, IOptions<AccountsOptions> accounts)
    {
        _table = storage.Tables.GetTableClient(options.Value.TableName);
        _resource = StorageResource.For(_table);
        _protector = protector;
        _legacyAccount = accounts.Value.LegacyAccountId;
    }

    public async Task<bool> AddAsync(AccountId account, SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var rowKey = RowKey(key.Name);
        if (account == _legacyAccount && await FindRowAsync(Legacy(), rowKey, Shown, cancellationToken) is not null)
        {
            return false;
        }

        var entity = new TableEntity(account.Value, rowKey)
        {
            [AccountColumn] = account.Value,
            ["Name"] = key.Name,
            ["PublicKey"] = key.PublicKey,
            ["Fingerprint"] = key.Fingerprint,
            ["Hosts"] = string.Join(' ', key.Hosts),
            ["Created"] = key.Created,
            [EncryptedColumn] = _protector.Protect(new PrivateKeySecret { PrivateKey = privateKey }, AssociatedData(Own(account), rowKey)),
        };
        return await _table.TryAddEntityAsync(entity, cancellationToken);
    }

    public async Task<SftpKey?> GetAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var (_, row) = await FindAsync(account, RowKey(name), Shown, cancellationToken);
        return row is null ? null : ToKey(row);
    }

    public async Task<IReadOnlyList<SftpKey>> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var keys = await ListAsync(Own(account), cancellationToken);
        if (account == _legacyAccount)
        {
            var own = keys.Select(k => k.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            keys.AddRange((await ListAsync(Legacy(), cancellationToken)).Where(k => !own.Contains(k.Name)));
        }

        return keys;
    }

    public async Task<string?> GetPrivateKeyAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var rowKey = RowKey(name);
        var (where, row) = await FindAsync(account, rowKey, [AccountColumn, EncryptedColumn], cancellationToken);
        var payload = row is null ? null : _protector.Unprotect(row.GetString(EncryptedColumn), AssociatedData(where, rowKey));
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

    public async Task<bool> DeleteAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var rowKey = RowKey(name);
        var (where, row) = await FindAsync(account, rowKey, [AccountColumn], cancellationToken);
        if (row is null)
        {
            return false;
        }

        try
        {
            // The ETag of the row read: the row deleted is the one found to be the account's.
            var response = await _table.DeleteEntityAsync(where.Key, rowKey, row.ETag, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Deleted (or replaced) by another call in between: this call deleted nothing.
            return false;
        }
    }

    /// <summary>The account's row of <paramref name="rowKey"/>, else (for the legacy account) the legacy row.</summary>
    private async Task<(Partition Where, TableEntity? Row)> FindAsync(
        AccountId account, string rowKey, string[] select, CancellationToken cancellationToken)
    {
        var own = Own(account);
        if (await FindRowAsync(own, rowKey, select, cancellationToken) is { } row)
        {
            return (own, row);
        }

        return account == _legacyAccount ? (Legacy(), await FindRowAsync(Legacy(), rowKey, select, cancellationToken)) : (own, null);
    }

    private async Task<TableEntity?> FindRowAsync(Partition where, string rowKey, string[] select, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(where.Key, rowKey, select, cancellationToken);
        return row.HasValue && where.Holds(row.Value!) ? row.Value : null;
    }

    private async Task<List<SftpKey>> ListAsync(Partition where, CancellationToken cancellationToken)
    {
        var keys = new List<SftpKey>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == where.Key, select: Shown, cancellationToken: cancellationToken))
        {
            if (where.Holds(row))
            {
                keys.Add(ToKey(row));
            }
        }

        return keys;
    }

    private static Partition Own(AccountId account) => new(account.Value, account.Value);

    private static Partition Legacy() => new(LegacyPartition, null);

    private static string RowKey(string name) => name.ToLowerInvariant();

    private static string AssociatedData(Partition where, string rowKey) =>
        where.Account is null ? "sftpkey:" + rowKey : $"sftpkey:{where.Account}:{rowKey}";

    private static SftpKey ToKey(TableEntity row) => new()
    {
        Name = row.GetString("Name"),
        PublicKey = row.GetString("PublicKey"),
        Fingerprint = row.GetString("Fingerprint"),
        Hosts = (row.GetString("Hosts") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Created = row.GetDateTimeOffset("Created"),
        Source = SftpKeySource.Api,
    };

    /// <summary>A partition and whose rows in it count: those carrying <see cref="Account"/>, or (null) legacy rows carrying none.</summary>
    private sealed record Partition(string Key, string? Account)
    {
        public bool Holds(TableEntity row) => string.Equals(row.GetString(AccountColumn), Account, StringComparison.Ordinal);
    }

    /// <summary>The private key as the payload <see cref="SecretProtector"/> encrypts (it takes destination credentials).</summary>
    private sealed record PrivateKeySecret : DestinationSecrets
    {
        [JsonInclude]
        public string? PrivateKey { get; init; }

        protected override bool HasValues => PrivateKey is not null;
    }
}
