using System.Net;
using AudienceTrends.Core.Export;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Upload;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>
/// Uploads the export to the request's GCS bucket with the service's own Google credentials. The upload is resumable
/// and sent in chunks (one chunk in memory at a time); GCS creates the object only when the last chunk arrives, so a
/// failed upload leaves nothing visible and a retry simply writes the whole object again.
/// </summary>
public sealed class GcsDestination : ExportDestination<GcsSettings, NoSecrets>
{
    private readonly GcsOptions _options;
    private readonly ILogger<GcsDestination> _logger;
    private readonly Lazy<StorageClient> _client;

    public GcsDestination(IOptions<GcsOptions> options, ILogger<GcsDestination> logger)
    {
        _options = options.Value;
        _logger = logger;
        _client = new Lazy<StorageClient>(CreateClient);
    }

    public override string Type => GcsKind.Name;

    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, GcsSettings destination, NoSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var bucket = destination.Bucket is { Length: > 0 } b
            ? b
            : throw new ExportFailedException(ErrorCodes.InvalidJob, "The GCS destination names no bucket.");
        var objectName = DestinationPath.ObjectName(destination.Path, delivery.FileName);
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var guard = new StallGuard(stalled);
        try
        {
            var stored = await _client.Value.UploadObjectAsync(
                bucket,
                objectName,
                delivery.File.ContentType,
                content,
                new UploadObjectOptions { ChunkSize = _options.ChunkSizeBytes },
                stalled.Token,
                guard);
            var location = $"gs://{bucket}/{objectName}";
            _logger.LogInformation("Uploaded {Bytes} bytes to {Location}", stored.Size, location);
            return new DeliveryResult(location);
        }
        catch (OperationCanceledException e) when (guard.Tripped && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException(
                $"The upload to GCS bucket '{bucket}' made no progress in {StallGuard.MaxAttempts} attempts at the same chunk.", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's timeout, which the client library does not retry.
            throw new TimeoutException(
                $"A request of the upload to GCS bucket '{bucket}' took longer than {_options.RequestTimeout}; the upload was abandoned.", e);
        }
    }

    private StorageClient CreateClient()
    {
        var builder = new StorageClientBuilder { UnauthenticatedAccess = _options.UnauthenticatedAccess };
        if (!string.IsNullOrEmpty(_options.BaseUri))
        {
            builder.BaseUri = _options.BaseUri;
        }

        if (!string.IsNullOrEmpty(_options.CredentialsJson))
        {
            // Parsed as a service account only, so a configured JSON cannot make the client run anything else.
            builder.GoogleCredential = CredentialFactory.FromJson<ServiceAccountCredential>(_options.CredentialsJson).ToGoogleCredential();
        }

        var client = builder.Build();

        // Each request (one chunk) may take this long; a server that stops reading fails it, and the upload with it.
        client.Service.HttpClient.Timeout = _options.RequestTimeout;
        return client;
    }

    /// <summary>The failures no retry can fix. The message names the cause and the bucket.</summary>
    protected override ExportFailedException? Permanent(Exception exception, GcsSettings settings)
    {
        var where = $"bucket '{settings.Bucket}' at {(string.IsNullOrEmpty(_options.BaseUri) ? "storage.googleapis.com" : _options.BaseUri)}";
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TokenResponseException token:
                    return new ExportFailedException(
                        ErrorCodes.DestinationAuthFailed,
                        $"Google refused the service's credentials ({token.Error?.Error}) for GCS {where}.",
                        e);
                case GoogleApiException { HttpStatusCode: HttpStatusCode.Unauthorized }:
                    return new ExportFailedException(ErrorCodes.DestinationAuthFailed, $"GCS refused the service's credentials for {where}.", e);
                case GoogleApiException { HttpStatusCode: HttpStatusCode.Forbidden }:
                    return new ExportFailedException(
                        ErrorCodes.DestinationPermissionDenied,
                        $"GCS denied the service's account writing to {where}; grant it object create access on the bucket.",
                        e);
                case GoogleApiException { HttpStatusCode: HttpStatusCode.NotFound }:
                    return new ExportFailedException(ErrorCodes.DestinationNotFound, $"GCS has no {where}.", e);
            }
        }

        return null;
    }

    /// <summary>
    /// The client library resends a chunk whose connection drops without limit or pause; this stops the upload after a
    /// few attempts that gain nothing, so the host's retry (with its back-off) takes over instead of an endless loop.
    /// </summary>
    private sealed class StallGuard(CancellationTokenSource cancel) : IProgress<IUploadProgress>
    {
        public const int MaxAttempts = 5;

        private long _bytes = -1;
        private int _attempts;

        public bool Tripped { get; private set; }

        public void Report(IUploadProgress value)
        {
            if (value.Status != UploadStatus.Uploading)
            {
                return;
            }

            if (value.BytesSent > _bytes)
            {
                (_bytes, _attempts) = (value.BytesSent, 0);
            }
            else if (++_attempts >= MaxAttempts && !Tripped)
            {
                Tripped = true;
                cancel.Cancel();
            }
        }
    }
}
