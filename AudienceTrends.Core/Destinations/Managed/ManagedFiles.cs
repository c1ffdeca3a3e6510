using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>Where managed download files live (<c>&lt;container&gt;/&lt;jobId&gt;/&lt;file&gt;</c>) and their purge after retention.</summary>
public sealed class ManagedFiles(StorageClients storage, IOptions<ManagedStorageOptions> options)
{
    internal static string BlobName(string jobId, string fileName) => $"{jobId}/{fileName}";

    /// <summary>Deletes the files older than <see cref="ManagedStorageOptions.RetentionDays"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var container = storage.Blobs.GetBlobContainerClient(options.Value.Container);
        if (!await container.ExistsAsync(cancellationToken))
        {
            return deleted;
        }

        var cutoff = now.AddDays(-options.Value.RetentionDays);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (blob.Properties.LastModified < cutoff)
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
                deleted++;
            }
        }

        return deleted;
    }
}
