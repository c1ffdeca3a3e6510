using System.Buffers;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.S3;

/// <summary>
/// Uploads the export to the request's S3 bucket with the request's own keys. Content shorter than one part goes in a
/// single PutObject; longer content goes as a multipart upload, reading the next part while the previous one is sent,
/// so at most two part buffers exist per upload. S3 shows the object only once the upload completes; a failed
/// multipart upload is aborted so no parts are left behind.
/// </summary>
public sealed class S3Destination(IOptions<S3Options> options, ILogger<S3Destination> logger) : ExportDestination<S3Settings, S3Secrets>
{
    private const int MaxParts = 10_000;
    private const string DefaultRegion = "us-east-1";

    private readonly S3Options _options = options.Value;


    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, S3Settings destination, S3Secrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var bucket = destination.Bucket is { Length: > 0 } b
            ? b
            : throw new ExportFailedException(ErrorCodes.InvalidJob, "The S3 destination names no bucket.");
        var region = RegionOf(destination);
        if (string.IsNullOrEmpty(secrets.AccessKeyId) || string.IsNullOrEmpty(secrets.SecretAccessKey))
        {
            throw new ExportFailedException(ErrorCodes.DestinationAuthFailed, $"No AWS access key was given for S3 {Where(bucket, region)}.");
        }

        var key = ObjectKey(destination.Path, delivery.File);
        using var client = CreateClient(secrets, region);
        var bytes = await UploadAsync(client, bucket, key, delivery.File.ContentType, content, cancellationToken);
        var location = $"s3://{bucket}/{key}";
        logger.LogInformation("Uploaded {Bytes} bytes to {Location}", bytes, location);
        return new DeliveryResult(location);
    }

    /// <summary>The object key (<see cref="DestinationPath.ObjectKey"/>).</summary>
    internal static string ObjectKey(string? path, ExportFile file) => DestinationPath.ObjectKey(path, file);

    internal static string RegionOf(S3Settings destination) => destination.Region is { Length: > 0 } r ? r : DefaultRegion;

    private string Where(string bucket, string region) => string.IsNullOrEmpty(_options.ServiceUrl)
        ? $"bucket '{bucket}' in region {region}"
        : $"bucket '{bucket}' at {_options.ServiceUrl} (region {region})";

    internal AmazonS3Client CreateClient(S3Secrets secrets, string region)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = _options.ForcePathStyle,
            Timeout = _options.RequestTimeout,
        };
        if (string.IsNullOrEmpty(_options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = _options.ServiceUrl;
            config.AuthenticationRegion = region;
        }

        return new AmazonS3Client(new BasicAWSCredentials(secrets.AccessKeyId, secrets.SecretAccessKey), config);
    }

    private async Task<long> UploadAsync(
        AmazonS3Client client, string bucket, string key, string contentType, Stream content, CancellationToken cancellationToken)
    {
        var partSize = _options.PartSizeBytes;
        var first = ArrayPool<byte>.Shared.Rent(partSize);
        byte[]? second = null;
        try
        {
            var length = await content.ReadAtLeastAsync(first.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken);
            if (length < partSize)
            {
                await PutAsync(client, bucket, key, contentType, new ArraySegment<byte>(first, 0, length), cancellationToken);
                return length;
            }

            second = ArrayPool<byte>.Shared.Rent(partSize);
            return await UploadMultipartAsync(client, bucket, key, contentType, content, (first, length), second, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
            if (second is not null)
            {
                ArrayPool<byte>.Shared.Return(second);
            }
        }
    }

    /// <summary>One PutObject of content held in memory (a file shorter than one part, or the destination test's probe).</summary>
    internal static Task PutAsync(
        AmazonS3Client client, string bucket, string key, string contentType, ArraySegment<byte> content, CancellationToken cancellationToken) =>
        client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                ContentType = contentType,
                InputStream = new MemoryStream(content.Array!, content.Offset, content.Count, writable: false),
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                // The SDK's default aws-chunked framing ends up inside the object on some S3-compatible stores.
                UseChunkEncoding = false,
            },
            cancellationToken);

    private async Task<long> UploadMultipartAsync(
        AmazonS3Client client,
        string bucket,
        string key,
        string contentType,
        Stream content,
        (byte[] Buffer, int Length) firstPart,
        byte[] spare,
        CancellationToken cancellationToken)
    {
        var partSize = _options.PartSizeBytes;
        var upload = await client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                ContentType = contentType,
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            },
            cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var (current, length) = firstPart;
            var next = spare;
            long total = 0;
            for (var partNumber = 1; length > 0; partNumber++)
            {
                if (partNumber > MaxParts)
                {
                    throw new ExportFailedException(
                        ErrorCodes.DestinationRejected,
                        $"The file needs more than {MaxParts} parts of {partSize} bytes, the most S3 accepts; raise S3:PartSizeBytes.");
                }

                var sending = client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = partNumber,
                        PartSize = length,
                        InputStream = new MemoryStream(current, 0, length, writable: false),
                        ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                var reading = content.ReadAtLeastAsync(next.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken).AsTask();

                // Both must finish before either buffer is touched again, whichever of them fails.
                await Task.WhenAll(sending, reading);
                parts.Add(new PartETag(await sending, copyChecksums: true));
                total += length;
                length = await reading;
                (current, next) = (next, current);
            }

            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts },
                cancellationToken);
            return total;
        }
        catch
        {
            await AbortAsync(client, bucket, key, upload.UploadId);
            throw;
        }
    }

    private async Task AbortAsync(AmazonS3Client client, string bucket, string key, string uploadId)
    {
        // Best effort and not bound to the job's token: parts left behind are invisible but billed.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId },
                timeout.Token);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException or IOException)
        {
            logger.LogWarning(e, "Could not abort multipart upload of {Key} in bucket {Bucket}", key, bucket);
        }
    }

    /// <summary>The refusal <see cref="Permanent"/> reads in an S3 error, for the destination test.</summary>
    internal ExportFailedException? Refusal(Exception exception, S3Settings settings) => Permanent(exception, settings);

    /// <summary>The S3 errors no retry can fix. The message names the cause and the bucket, never a key.</summary>
    protected override ExportFailedException? Permanent(Exception exception, S3Settings settings)
    {
        if (exception is not AmazonS3Exception e)
        {
            return null;
        }

        var where = Where(settings.Bucket, RegionOf(settings));
        var code = e.ErrorCode switch
        {
            "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" or "InvalidSecurity"
                or "TokenRefreshRequired" => ErrorCodes.DestinationAuthFailed,
            "AccessDenied" or "AllAccessDisabled" or "AccountProblem" => ErrorCodes.DestinationPermissionDenied,
            "NoSuchBucket" => ErrorCodes.DestinationNotFound,
            "PermanentRedirect" or "AuthorizationHeaderMalformed" or "InvalidBucketName" => ErrorCodes.DestinationRejected,
            _ => e.StatusCode switch
            {
                HttpStatusCode.Unauthorized => ErrorCodes.DestinationAuthFailed,
                HttpStatusCode.Forbidden => ErrorCodes.DestinationPermissionDenied,
                _ => null,
            },
        };
        var message = code switch
        {
            ErrorCodes.DestinationAuthFailed => $"S3 refused the access key or its signature for {where}",
            ErrorCodes.DestinationPermissionDenied => $"S3 denied the access key writing to {where}",
            ErrorCodes.DestinationNotFound => $"S3 has no {where}",
            _ => $"S3 rejected {where}: wrong region or invalid bucket name",
        };
        return code is null ? null : new ExportFailedException(code, $"{message} ({e.ErrorCode}).", e);
    }
}
