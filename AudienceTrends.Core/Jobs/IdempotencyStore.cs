using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure.Data.Tables;
using Azure;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Remembers which job an <c>Idempotency-Key</c> created and a fingerprint of the body it came with. The key and the
/// body are stored only as HMAC-SHA256 under a key derived from the service's secret key, so whoever reads the table
/// cannot test guessed bodies (which hold passwords) or keys against it. Each account has its own partition, so the same
/// key from two accounts is two records. Insertion is atomic, so two concurrent
/// requests with one key create one job. Records past their window are deleted by maintenance.
/// </summary>
public sealed class IdempotencyStore
{
    /// <summary>The HKDF label of the hashing key; a new label (say, "v2") starts a new table of fingerprints.</summary>
    private const string KeyPurpose = "AudienceTrends idempotency fingerprints v1";

    private readonly TableClient _table;
    private readonly StorageResource _created;
    private readonly byte[] _hashKey;

    public IdempotencyStore(StorageClients storage, SecretProtector protector)
    {
        _table = storage.Tables.GetTableClient(JobsOptions.IdempotencyTableName);
        _created = StorageResource.For(_table);
        _hashKey = protector.DeriveKey(KeyPurpose);
    }

    /// <summary>The body's fingerprint, as <see cref="IdempotencyRecord.BodyHash"/> keeps it.</summary>
    public string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(HMACSHA256.HashData(_hashKey, body));

    public async Task<IdempotencyRecord?> GetAsync(AccountId account, string key, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<IdempotencyRecord>(
            account.Value, KeyHash(key), cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Records the key; false when another request recorded it first.</summary>
    public async Task<bool> TryAddAsync(AccountId account, string key, string bodyHash, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return await _table.TryAddEntityAsync(new IdempotencyRecord { PartitionKey = account.Value, RowKey = KeyHash(key), BodyHash = bodyHash, JobId = jobId, CreatedAt = createdAt }, cancellationToken);
    }

    /// <summary>Points a record at a new job (it expired, or its job never ran), only if it is still the one that was read.</summary>
    public async Task<bool> TryReplaceAsync(IdempotencyRecord record, string bodyHash, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        record.BodyHash = bodyHash;
        record.JobId = jobId;
        record.CreatedAt = createdAt;
        await _created.EnsureAsync(cancellationToken);
        try
        {
            await _table.UpdateEntityAsync(record, record.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Deletes the records created before <paramref name="cutoff"/>, unless replaced meanwhile; returns how many.</summary>
    public async Task<int> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var deleted = 0;
        // Across every account's partition: the table holds one window of keys, so the scan stays small.
        var filter = TableClient.CreateQueryFilter($"CreatedAt lt {cutoff}");
        await foreach (var record in _table.QueryAsync<IdempotencyRecord>(filter, cancellationToken: cancellationToken))
        {
            try
            {
                await _table.DeleteEntityAsync(record.PartitionKey, record.RowKey, record.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
                // A request reused the key meanwhile (the record is current again) or another sweep deleted it.
            }
        }

        return deleted;
    }

    private string KeyHash(string key) => Convert.ToHexStringLower(HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(key)));
}

public sealed class IdempotencyRecord : ITableEntity
{
    /// <summary>The account's id: a key is one account's, and two accounts may use the same one.</summary>
    public string PartitionKey { get; set; } = "";

    /// <summary>HMAC-SHA256 of the Idempotency-Key (see <see cref="IdempotencyStore"/>).</summary>
    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>HMAC-SHA256 of the request body (see <see cref="IdempotencyStore"/>).</summary>
    public string BodyHash { get; set; } = "";

    public string JobId { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
