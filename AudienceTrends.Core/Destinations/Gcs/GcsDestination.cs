using System.Net;
using System.Runtime.ExceptionServices;
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
/// failed upload leaves nothing visible (its session is cancelled) and a retry simply writes the whole object again.
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


    /// <summary>The client the deliveries share, built on first use (the destination test reuses it).</summary>
    internal StorageClient Client => _client.Value;

    /// <summary>Where messages say the bucket is.</summary>
    internal string Where(string bucket) =>
        $"bucket '{bucket}' at {(string.IsNullOrEmpty(_options.BaseUri) ? "storage.googleapis.com" : _options.BaseUri)}";

    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, GcsSettings destination, NoSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var bucket = destination.Bucket is { Length: > 0 } b
            ? b
            : throw new ExportFailedException(ErrorCodes.InvalidJob, "The GCS destination names no bucket.");
        var objectName = DestinationPath.ObjectName(destination.Path, delivery.FileName);
        var bytes = await UploadAsync(bucket, objectName, delivery.File.ContentType, content, cancellationToken);
        var location = $"gs://{bucket}/{objectName}";
        _logger.LogInformation("Uploaded {Bytes} bytes to {Location}", bytes, location);
        return new DeliveryResult(location);
    }

    /// <summary>
    /// One resumable upload of <paramref name="content"/> (the deliveries' and the destination test's). The session is
    /// started here so its URI is known: an upload that fails or is cancelled cancels its session (DELETE on the
    /// session URI) rather than leave it open. The last chunk carries the content's CRC32C, which GCS checks.
    /// </summary>
    internal async Task<long> UploadAsync(string bucket, string objectName, string contentType, Stream content, CancellationToken cancellationToken)
    {
        var client = _client.Value;
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var guard = new StallGuard(stalled);
        try
        {
            var session = await client.CreateObjectUploader(bucket, objectName, contentType, content).InitiateSessionAsync(stalled.Token);
            var hashed = new HashedStream(content);
            var upload = ResumableUpload.CreateFromUploadUri(session, hashed, new ResumableUploadOptions
            {
                HttpClient = client.Service.HttpClient,
                Serializer = client.Service.Serializer,
                ServiceName = client.Service.Name,
            });
            upload.ChunkSize = _options.ChunkSizeBytes;
            upload.ProgressChanged += guard.Report;
            upload.LastRequestExecuting += request => request.Headers.TryAddWithoutValidation("x-goog-hash", $"crc32c={hashed.Crc32C}");
            try
            {
                var progress = await upload.UploadAsync(stalled.Token);
                if (progress.Exception is { } failure)
                {
                    ExceptionDispatchInfo.Throw(failure);
                }

                return hashed.BytesRead;
            }
            catch
            {
                await CancelSessionAsync(client, session, bucket);
                throw;
            }
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

    /// <summary>Best effort, not bound to the job's token: GCS answers a cancelled session with 499.</summary>
    private async Task CancelSessionAsync(StorageClient client, Uri session, string bucket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, session);
            using var response = await client.Service.HttpClient.SendAsync(request, timeout.Token);
            if ((int)response.StatusCode is not (499 or 404 or 410) && !response.IsSuccessStatusCode)
            {
                _logger.LogWarning("GCS answered {Status} cancelling an upload session to bucket {Bucket}", (int)response.StatusCode, bucket);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or GoogleApiException)
        {
            _logger.LogWarning(e, "Could not cancel an upload session to bucket {Bucket}", bucket);
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

    /// <summary>The refusal <see cref="Permanent"/> reads in a failure, for the destination test.</summary>
    internal ExportFailedException? Refusal(Exception exception, GcsSettings settings) => Permanent(exception, settings);

    /// <summary>The failures no retry can fix. The message names the cause and the bucket.</summary>
    protected override ExportFailedException? Permanent(Exception exception, GcsSettings settings)
    {
        var where = Where(settings.Bucket);
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
