using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Where managed download files live (<c>&lt;container&gt;/&lt;account&gt;/&lt;jobId&gt;/&lt;file&gt;</c>; files of jobs
/// delivered before accounts existed stay at <c>&lt;jobId&gt;/&lt;file&gt;</c>) and their purge after retention.
/// </summary>
public sealed class ManagedFiles(StorageClients storage, IOptions<ManagedStorageOptions> options)
{
    internal static string BlobName(AccountId account, string jobId, string fileName) => $"{account.Value}/{jobId}/{fileName}";

    /// <summary>The blob a delivery's recorded location names, as <see cref="DeliveryResult.Location"/> keeps it.</summary>
    internal static string BlobNameOf(string location) => new BlobUriBuilder(new Uri(location)).BlobName;

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
