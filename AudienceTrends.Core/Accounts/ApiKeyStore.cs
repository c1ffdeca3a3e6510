using System.Net;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// The keys table (<c>Accounts:KeysTableName</c>): one row per key, <c>PartitionKey = keyId</c>, so the key a request
/// presents is found with one point read (no query, no index to keep in step). The row holds the account, name, times,
/// allowed networks and <c>SecretHash</c> (SHA-256 of the secret, see <see cref="ApiKeyText"/>); never the key or the
/// secret. Key ids are random, so the rows spread over partitions and no account's traffic concentrates on one.
/// </summary>
public sealed class ApiKeyStore
{
    private const string Row = "key";
    private const string HashColumn = "SecretHash";
    private const string LastUsedColumn = "LastUsed";

    private readonly TableClient _table;
    private readonly StorageResource _resource;

    public ApiKeyStore(StorageClients storage, IOptions<AccountsOptions> options)
    {
        _table = storage.Tables.GetTableClient(options.Value.KeysTableName);
        _resource = StorageResource.For(_table);
    }

    /// <summary>False when the key id is taken (a 96-bit random id: in practice never).</summary>
    public async Task<bool> AddAsync(ApiKeyInfo key, byte[] secretHash, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = new TableEntity(key.KeyId, Row)
        {
            ["Account"] = key.Account.Value,
            ["Name"] = key.Name,
            ["Created"] = key.Created,
            ["Expires"] = key.Expires,
            ["AllowedNetworks"] = string.Join(' ', key.AllowedNetworks),
            [HashColumn] = secretHash,
        };
        return await _table.TryAddEntityAsync(row, cancellationToken);
    }

    /// <summary>The key with the hash of its secret and the row's ETag, or null.</summary>
    public async Task<StoredApiKey?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        await _resource.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(keyId, Row, cancellationToken: cancellationToken);
        return row.HasValue ? new StoredApiKey(ToKey(row.Value!), row.Value!.GetBinary(HashColumn) ?? [], row.Value!.ETag) : null;
    }

    /// <summary>
    /// Writes the last-used time if the row is still as read (<paramref name="etag"/>); false when another request or
    /// a revocation changed it first (a merge with a stale ETag cannot bring back a revoked key's old state).
    /// </summary>
    public async Task<bool> TouchAsync(string keyId, ETag etag, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(keyId, Row) { [LastUsedColumn] = now }, etag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Marks the key revoked (keeping the first time); the row stays, so lists show when it was revoked.</summary>
    public async Task<ApiKeyInfo?> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await GetAsync(keyId, cancellationToken);
        if (stored is null || stored.Info.Revoked is not null)
        {
            return stored?.Info;
        }

        await _table.UpdateEntityAsync(new TableEntity(keyId, Row) { ["Revoked"] = now }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        return stored.Info with { Revoked = now };
    }

    private static ApiKeyInfo ToKey(TableEntity row) => new()
    {
        KeyId = row.PartitionKey,
        Account = AccountId.Parse(row.GetString("Account")),
        Name = row.GetString("Name") ?? "",
        Created = row.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        Expires = row.GetDateTimeOffset("Expires"),
        AllowedNetworks = (row.GetString("AllowedNetworks") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(n => IPNetwork.Parse(n)).ToList(),
        LastUsed = row.GetDateTimeOffset(LastUsedColumn),
        Revoked = row.GetDateTimeOffset("Revoked"),
    };
}

/// <summary>A key's row as read for authentication. Holds the secret's hash: ToString prints neither hash nor ETag.</summary>
public sealed record StoredApiKey(ApiKeyInfo Info, byte[] SecretHash, ETag ETag)
{
    public override string ToString() => $"StoredApiKey {{ KeyId = {Info.KeyId} }}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("KeyId = ").Append(Info.KeyId);
        return true;
    }
}
