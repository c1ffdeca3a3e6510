using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace AudienceTrends.Core.Storage;

/// <summary>
/// A table, queue or blob container of the app's storage account, created if missing before its first use. Only a
/// success is remembered (later calls cost nothing); a failed attempt is not, so the next call tries again and one
/// storage blip at cold start does not break every call until a restart. Callers arriving while an attempt runs
/// share it.
/// </summary>
public sealed class StorageResource
{
    private readonly Func<Task> _create;
    private readonly Lock _gate = new();
    private Task? _attempt;

    private StorageResource(Func<Task> create) => _create = create;

    public static StorageResource For(TableClient table) => new(() => table.CreateIfNotExistsAsync());

    public static StorageResource For(QueueClient queue) => new(() => queue.CreateIfNotExistsAsync());

    /// <summary>A private container: no anonymous read access.</summary>
    public static StorageResource For(BlobContainerClient container) =>
        new(() => container.CreateIfNotExistsAsync(PublicAccessType.None));

    /// <summary>
    /// Completes once the resource exists. The creation itself is not cancelled with <paramref name="cancellationToken"/>
    /// (other callers may share it; the SDK's network timeout and retries bound it); only this caller's wait is.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var attempt = Volatile.Read(ref _attempt);
        if (attempt is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_attempt is null || _attempt.IsFaulted || _attempt.IsCanceled)
            {
                _attempt = Task.Run(_create, CancellationToken.None);
            }

            attempt = _attempt;
        }

        return attempt.WaitAsync(cancellationToken);
    }
}
