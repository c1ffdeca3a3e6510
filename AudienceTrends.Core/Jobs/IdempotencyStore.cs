using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Remembers which job an <c>Idempotency-Key</c> created and a hash of the body it came with. Keys are stored hashed;
/// insertion is atomic, so two concurrent requests with one key create one job.
/// </summary>
public sealed class IdempotencyStore
{
    private readonly TableClient _table;
    private readonly StorageResource _created;

    public IdempotencyStore(StorageClients storage)
    {
        _table = storage.Tables.GetTableClient(JobsOptions.IdempotencyTableName);
        _created = StorageResource.For(_table);
    }

    public async Task<IdempotencyRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<IdempotencyRecord>(
            IdempotencyRecord.Partition, Hash(key), cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Records the key; false when another request recorded it first.</summary>
    public async Task<bool> TryAddAsync(string key, string bodySha256, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        try
        {
            await _table.AddEntityAsync(
                new IdempotencyRecord { RowKey = Hash(key), BodySha256 = bodySha256, JobId = jobId, CreatedAt = createdAt },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces an expired record, only if it is still the one that was read.</summary>
    public async Task<bool> TryReplaceAsync(IdempotencyRecord expired, string bodySha256, string jobId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        expired.BodySha256 = bodySha256;
        expired.JobId = jobId;
        expired.CreatedAt = createdAt;
        await _created.EnsureAsync(cancellationToken);
        try
        {
            await _table.UpdateEntityAsync(expired, expired.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

public sealed class IdempotencyRecord : ITableEntity
{
    public const string Partition = "key";

    public string PartitionKey { get; set; } = Partition;

    /// <summary>SHA-256 of the Idempotency-Key.</summary>
    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string BodySha256 { get; set; } = "";

    public string JobId { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
