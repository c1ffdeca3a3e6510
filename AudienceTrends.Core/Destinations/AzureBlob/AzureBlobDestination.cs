using System.Net;
using Azure;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>
/// Uploads the export as a block blob to the customer's container with the customer's SAS. Content longer than one
/// block is staged block by block and committed at the end (content shorter than a block goes in one Put Blob), so
/// the blob appears only once whole, a failed upload leaves nothing visible, and a retry replaces it whole.
/// </summary>
public sealed class AzureBlobDestination : ExportDestination<AzureBlobSettings, AzureBlobSecrets>, IDisposable
{
    private readonly AzureBlobOptions _options;
    private readonly AzureBlobHosts _hosts;
    private readonly ILogger<AzureBlobDestination> _logger;
    private readonly HttpClient _http;

    public AzureBlobDestination(IOptions<AzureBlobOptions> options, AzureBlobHosts hosts, ILogger<AzureBlobDestination> logger)
    {
        _options = options.Value;
        _hosts = hosts;
        _logger = logger;
        _http = new HttpClient(hosts.CreateHandler(_options.ConnectTimeout)) { Timeout = Timeout.InfiniteTimeSpan };
    }


    public void Dispose() => _http.Dispose();

    /// <summary>The container's client, after checking its host (<see cref="AzureBlobHosts"/>).</summary>
    internal async Task<BlobContainerClient> ContainerAsync(
        AzureBlobSettings settings, AzureBlobSecrets secrets, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(settings.ContainerUrl, UriKind.Absolute, out var url))
        {
            throw new ExportFailedException(ErrorCodes.InvalidJob, "The Azure Blob destination has no container URL.");
        }

        if (string.IsNullOrEmpty(secrets.SasToken))
        {
            throw new ExportFailedException(ErrorCodes.DestinationAuthFailed, $"No SAS token was given for {settings.ContainerUrl}.");
        }

        await _hosts.ResolveAsync(url.Host, url.Port, cancellationToken);
        var clientOptions = new BlobClientOptions { Transport = new HttpClientTransport(_http) };
        clientOptions.Retry.MaxRetries = _options.MaxRetries;
        clientOptions.Retry.NetworkTimeout = _options.RequestTimeout;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(500);
        return new BlobContainerClient(url, new AzureSasCredential(secrets.SasToken), clientOptions);
    }

    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, AzureBlobSettings settings, AzureBlobSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(settings, secrets, cancellationToken);
        var blobName = DestinationPath.ObjectKey(settings.Path, delivery.File);
        var blob = container.GetBlockBlobClient(blobName);
        try
        {
            await blob.UploadAsync(content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = delivery.File.ContentType },
                TransferOptions = new Azure.Storage.StorageTransferOptions
                {
                    InitialTransferSize = _options.BlockSizeBytes,
                    MaximumTransferSize = _options.BlockSizeBytes,
                    MaximumConcurrency = 2,
                },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (Permanent(e, settings) is null)
        {
            // The SDK's message carries the response's content and headers: not for a job's error column.
            throw new IOException($"Azure Blob Storage answered {e.Status} ({e.ErrorCode}) for {settings.ContainerUrl}.", e);
        }

        var location = $"{settings.ContainerUrl}/{blobName}";
        _logger.LogInformation("Uploaded the export to {Location}", location);
        return new DeliveryResult(location);
    }

    /// <summary>The failures no retry can fix. The message names the cause and the container, never the SAS.</summary>
    protected override ExportFailedException? Permanent(Exception exception, AzureBlobSettings settings)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ExportFailedException refused)
            {
                return refused;
            }

            if (e is RequestFailedException failed && Refusal(failed, settings.ContainerUrl) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    internal static ExportFailedException? Refusal(RequestFailedException e, string containerUrl)
    {
        var (code, message) = (e.Status, e.ErrorCode) switch
        {
            // Azure answers a bad signature or an expired token with AuthenticationFailed, Azurite with AuthorizationFailure
            // (which Azure also uses for a token the account's network rules refuse).
            (403, "AuthenticationFailed" or "AuthorizationFailure") or (401, _) =>
                (ErrorCodes.DestinationAuthFailed,
                    $"Azure Blob Storage refused the SAS token for {containerUrl}: check that it is this container's, not expired, and allowed from the service's network"),
            (403, _) =>
                (ErrorCodes.DestinationPermissionDenied, $"The SAS token does not allow writing to {containerUrl}: it needs the create and write permissions"),
            (404, "ContainerNotFound") =>
                (ErrorCodes.DestinationNotFound, $"Azure Blob Storage has no container {containerUrl}"),
            (404, "ResourceNotFound") or (400, _) =>
                (ErrorCodes.DestinationRejected, $"Azure Blob Storage rejected the request for {containerUrl}"),
            _ => (null, null),
        };
        return code is null ? null : new ExportFailedException(code, $"{message} ({e.ErrorCode ?? ((HttpStatusCode)e.Status).ToString()}).", e);
    }
}
