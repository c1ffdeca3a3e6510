using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Destination type <c>aws</c>: a private blob, <c>&lt;container&gt;/&lt;jobId&gt;/&lt;name&gt;.csv</c>, handed out
/// through short-lived read-only links. Uploaded as staged blocks committed at the end, so the blob exists only
/// once complete, and re-uploading (a retried job) replaces it whole.
/// </summary>
public sealed class ManagedStorageDestination : IExportDestination
{
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly StorageResource _created;

    public ManagedStorageDestination(StorageClients storage, IOptions<ManagedStorageOptions> options)
    {
        _container = storage.Blobs.GetBlobContainerClient(options.Value.Container);
        _created = StorageResource.For(_container);
    }

    public DestinationType Type => DestinationType.Aws;

    public async Task<DeliveryResult> DeliverAsync(DeliveryRequest delivery, Stream content, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var blob = _container.GetBlockBlobClient(BlobName(delivery.JobId, delivery.FileName));
        await blob.UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders
            {
                ContentType = "text/csv; charset=utf-8",
                ContentDisposition = $"attachment; filename=\"{delivery.FileName}\"",
            },
            TransferOptions = new Azure.Storage.StorageTransferOptions
            {
                InitialTransferSize = BlockSize,
                MaximumTransferSize = BlockSize,
                MaximumConcurrency = 2,
            },
        }, cancellationToken);
        return new DeliveryResult(blob.Uri.GetLeftPart(UriPartial.Path));
    }

    internal static string BlobName(string jobId, string fileName) => $"{jobId}/{fileName}";
}
