using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// The accounts table (<c>Accounts:AccountsTableName</c>): one partition per account, holding the account's row
/// (<c>RowKey = "account"</c>) and one row per API key it owns (<c>RowKey = "key-&lt;keyId&gt;"</c>), so an account's
/// key list is one partition query. A key row here only points at the key: the key's own row (hash, expiry,
/// networks, revocation) is in <see cref="ApiKeyStore"/>, the one place these are kept. Reading an account is a point
/// read on its own partition, so the per-request check that it is not disabled never meets another account's traffic.
/// </summary>
public sealed class AccountStore
{
    private const string AccountRow = "account";
    private const string KeyRowPrefix = "key-";

    private readonly TableClient _table;
    private readonly StorageResource _resource;

    public AccountStore(StorageClients storage, IOptions<AccountsOptions> options)
    {
        _table = storage.Tables.GetTableClient(options.Value.AccountsTableName);
        _resource = StorageResource.For(_table);
    }

    /// <summary>False when an account with that id exists.</summary>
    public async Task<bool> AddAsync(Account account, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        return await _table.TryAddEntityAsync(ToRow(account), cancellationToken);
    }

    public async Task<Account?> GetAsync(AccountId id, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(id.Value, AccountRow, cancellationToken: cancellationToken);
        return row.HasValue ? ToAccount(row.Value!) : null;
    }

    /// <summary>Every account, by id. Operators only: a scan over every account's partition, not for request paths.</summary>
    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var accounts = new List<Account>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.RowKey == AccountRow, cancellationToken: cancellationToken))
        {
            accounts.Add(ToAccount(row));
        }

        return accounts.OrderBy(a => a.Id.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>Marks the account disabled (keeping the first time it was); null when there is no such account.</summary>
    public async Task<Account?> DisableAsync(AccountId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(id.Value, AccountRow, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var account = ToAccount(row.Value!);
        if (account.IsDisabled)
        {
            return account;
        }

        var disabled = account with { Disabled = now };
        // Merge of one column: a concurrent disable writes the same thing, so no ETag is needed.
        await _table.UpdateEntityAsync(new TableEntity(id.Value, AccountRow) { ["Disabled"] = now }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        return disabled;
    }

    /// <summary>Records that the account owns the key, before the key row exists (so no live key is ever unlisted).</summary>
    public async Task AddKeyAsync(AccountId id, string keyId, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        await _table.UpsertEntityAsync(new TableEntity(id.Value, KeyRowPrefix + keyId), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The ids of the keys the account owns (revoked ones included), from its own partition.</summary>
    public async Task<IReadOnlyList<string>> ListKeyIdsAsync(AccountId id, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var ids = new List<string>();
        var partition = id.Value;
        var from = KeyRowPrefix;
        var to = KeyRowPrefix[..^1] + (char)(KeyRowPrefix[^1] + 1);
        await foreach (var row in _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(to) < 0,
            select: ["RowKey"], cancellationToken: cancellationToken))
        {
            ids.Add(row.RowKey[KeyRowPrefix.Length..]);
        }

        return ids;
    }

    private static TableEntity ToRow(Account account) => new(account.Id.Value, AccountRow)
    {
        ["Name"] = account.Name,
        ["Created"] = account.Created,
        ["Disabled"] = account.Disabled,
    };

    private static Account ToAccount(TableEntity row) => new(
        AccountId.Parse(row.PartitionKey),
        row.GetString("Name") ?? "",
        row.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("Disabled"));
}
