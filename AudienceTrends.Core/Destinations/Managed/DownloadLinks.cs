using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Read-only download links for managed files, signed afresh on every call and never stored. With an account key
/// (Azurite, connection strings) the link is an account SAS; with a managed identity (Azure, where shared keys are
/// off) it is a user-delegation SAS, signed with a delegation key the app keeps in memory for a day so that listing
/// a page of jobs does not ask Entra for one key per job.
/// </summary>
public sealed class DownloadLinks(StorageClients storage, IOptions<ManagedStorageOptions> options, TimeProvider time)
{
    private static readonly TimeSpan DelegationKeyLifetime = TimeSpan.FromDays(1);

    /// <summary>Azure refuses a user delegation key that expires more than 7 days from now; keep a margin.</summary>
    private static readonly TimeSpan MaxDelegationKeyLifetime = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(10);

    private Azure.Storage.Blobs.Models.UserDelegationKey? _delegationKey;

    /// <param name="blobName">The file's blob, as its delivery recorded it: links are only ever made for a job's own file.</param>
    public async Task<DownloadLink> CreateAsync(string blobName, string fileName, CancellationToken cancellationToken)
    {
        var container = storage.Blobs.GetBlobContainerClient(options.Value.Container);
        var blob = container.GetBlobClient(blobName);
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

        var key = _delegationKey;
        if (key is null || key.SignedExpiresOn < expiresOn)
        {
            key = (await storage.Blobs.GetUserDelegationKeyAsync(now.AddMinutes(-5), DelegationKeyExpiry(now, expiresOn), cancellationToken)).Value;
            _delegationKey = key;
        }

        var uri = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, storage.Blobs.AccountName) };
        return new DownloadLink(uri.ToUri(), expiresOn);
    }

    /// <summary>A day past the link's expiry, so one key signs many links, but never past Azure's 7-day limit.</summary>
    internal static DateTimeOffset DelegationKeyExpiry(DateTimeOffset now, DateTimeOffset linkExpiresOn)
    {
        var wanted = linkExpiresOn + DelegationKeyLifetime;
        var limit = now + MaxDelegationKeyLifetime;
        return wanted < limit ? wanted : limit;
    }
}

public sealed record DownloadLink(Uri Url, DateTimeOffset ExpiresOn);
