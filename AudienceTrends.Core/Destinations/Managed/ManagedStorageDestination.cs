using System.Buffers;
using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Destination type <c>aws</c>: a private blob, <c>&lt;container&gt;/&lt;jobId&gt;/&lt;name&gt;.csv</c>, handed out
/// through short-lived read-only links. A file that ends within the first block goes up in one Put Blob; a larger
/// one as staged blocks committed at the end. Either way the blob exists only once complete, and re-uploading (a
/// retried job) replaces it whole.
/// </summary>
public sealed class ManagedStorageDestination : ExportDestination<ManagedSettings, NoSecrets>
{
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly StorageResource _created;
    private readonly DownloadLinks _links;

    public ManagedStorageDestination(StorageClients storage, IOptions<ManagedStorageOptions> options, DownloadLinks links)
    {
        _container = storage.Blobs.GetBlobContainerClient(options.Value.Container);
        _created = StorageResource.For(_container);
        _links = links;
    }


    /// <summary>A read-only download link, signed for this response (never stored).</summary>
    public override async ValueTask<IReadOnlyDictionary<string, object>> DescribeResultAsync(
        string location, string fileName, CancellationToken cancellationToken)
    {
        var link = await _links.CreateAsync(ManagedFiles.BlobNameOf(location), fileName, cancellationToken);
        return new Dictionary<string, object> { ["downloadUrl"] = link.Url, ["downloadUrlExpiresAt"] = link.ExpiresOn };
    }

    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, ManagedSettings settings, NoSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var blob = _container.GetBlockBlobClient(ManagedFiles.BlobName(delivery.Account, delivery.JobId, delivery.FileName));
        var headers = new BlobHttpHeaders
        {
            ContentType = delivery.File.ContentType,
            ContentDisposition = $"attachment; filename=\"{delivery.FileName}\"",
        };
        var firstBlock = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var buffered = await content.ReadAtLeastAsync(firstBlock.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken);
            if (buffered < BlockSize)
            {
                // The whole file is in hand: one Put Blob instead of a staged block and its commit.
                await blob.UploadAsync(new MemoryStream(firstBlock, 0, buffered, writable: false),
                    new BlobUploadOptions { HttpHeaders = headers }, cancellationToken);
            }
            else
            {
                await blob.UploadAsync(new PrefixedStream(firstBlock.AsMemory(0, BlockSize), content), new BlobUploadOptions
                {
                    HttpHeaders = headers,
                    TransferOptions = new Azure.Storage.StorageTransferOptions
                    {
                        InitialTransferSize = BlockSize,
                        MaximumTransferSize = BlockSize,
                        MaximumConcurrency = 2,
                    },
                }, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DiscardUncommittedBlocksAsync(blob);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(firstBlock);
        }

        return new DeliveryResult(blob.Uri.GetLeftPart(UriPartial.Path));
    }

    /// <summary>
    /// A cancelled upload leaves staged blocks that storage would keep for a week. A blob that was never committed
    /// has no other content: committing an empty block list and deleting it drops them.
    /// </summary>
    private static async Task DiscardUncommittedBlocksAsync(BlockBlobClient blob)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (!(await blob.ExistsAsync(timeout.Token)).Value)
        {
            await blob.CommitBlockListAsync([], cancellationToken: timeout.Token);
            await blob.DeleteIfExistsAsync(cancellationToken: timeout.Token);
        }
    }
}
