using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Read-only download links for managed files, signed afresh on every call and never stored. With an account key
/// (Azurite, connection strings) the link is an account SAS; with a managed identity (Azure, where shared keys are
/// off) it is a user-delegation SAS.
/// </summary>
public sealed class DownloadLinks(StorageClients storage, IOptions<ManagedStorageOptions> options, TimeProvider time)
{
    public async Task<DownloadLink> CreateAsync(string jobId, string fileName, CancellationToken cancellationToken)
    {
        var container = storage.Blobs.GetBlobContainerClient(options.Value.Container);
        var blob = container.GetBlobClient(ManagedStorageDestination.BlobName(jobId, fileName));
        var now = time.GetUtcNow();
        var expiresOn = now + options.Value.DownloadUrlLifetime;
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = container.Name,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now.AddMinutes(-5),
            ContentDisposition = $"attachment; filename=\"{fileName}\"",
        };

        if (blob.CanGenerateSasUri)
        {
            return new DownloadLink(blob.GenerateSasUri(sas), expiresOn);
        }

        var key = await storage.Blobs.GetUserDelegationKeyAsync(now.AddMinutes(-5), expiresOn, cancellationToken);
        var uri = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, storage.Blobs.AccountName) };
        return new DownloadLink(uri.ToUri(), expiresOn);
    }
}

public sealed record DownloadLink(Uri Url, DateTimeOffset ExpiresOn);
