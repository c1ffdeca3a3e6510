using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.S3;

/// <summary>
/// Checks an <c>s3</c> destination with the request's keys and the delivery's own client: resolve, network guard and
/// connect to the S3 endpoint (an <c>S3:ServiceUrl</c> the operators set is, as in the delivery, not guarded, and
/// details name the setting, never its host),
/// authenticate (a one-key listing of the export's folder: only a refused key or signature fails it), then write a probe object in the export's folder with the delivery's PutObject and delete it. S3 has
/// no rename. Each step within <see cref="S3Options.RequestTimeout"/>, the whole test within two of them.
/// </summary>
public sealed class S3Probe(
    S3Destination destination, DestinationNetworkGuard guard, IHostResolver resolver, IOptions<S3Options> options, ILogger<S3Probe> logger)
    : IDestinationProbe
{
    public ProbeTarget? Target(DestinationSettings settings) => new($"s3:{((S3Settings)settings).Bucket}", null);

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var (s3, limits) = ((S3Settings)settings, options.Value);
        steps.Limit(limits.RequestTimeout + limits.RequestTimeout);
        var region = S3Destination.RegionOf(s3);
        if (string.IsNullOrEmpty(limits.ServiceUrl))
        {
            var endpoint = new Uri($"https://s3.{region}.amazonaws.com");
            await DestinationTester.ReachAsync(steps, guard, endpoint.Host, endpoint.Port, limits.RequestTimeout);
        }
        else
        {
            await DestinationTester.ReachConfiguredAsync(steps, resolver, "S3:ServiceUrl", new Uri(limits.ServiceUrl), limits.RequestTimeout);
        }
        using var client = destination.CreateClient((S3Secrets)secrets, region);
        var folder = DestinationPath.ObjectPrefix(ProbeFile.ObjectFolder(s3.Path));
        await steps.RunAsync("authenticate", limits.RequestTimeout, async token =>
        {
            try
            {
                await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket, Prefix = folder, MaxKeys = 1 }, token);
                return "S3 accepted the access key.";
            }
            catch (AmazonS3Exception e) when (destination.Refusal(e, s3) is { Code: ErrorCodes.DestinationPermissionDenied })
            {
                return $"S3 accepted the access key; it may not list the bucket ({e.ErrorCode}), which an export does not need.";
            }
            catch (AmazonS3Exception e) when (destination.Refusal(e, s3) is { Code: ErrorCodes.DestinationNotFound })
            {
                return $"S3 did not refuse the access key ({e.ErrorCode}: the write checks the bucket).";
            }
            catch (AmazonS3Exception e) when (destination.Refusal(e, s3) is { } refusal)
            {
                throw new ExportFailedException(refusal.Code,
                    $"{refusal.Message} Check destination.aws_access_key_id, destination.aws_secret_access_key and destination.aws_region.", e);
            }
        });
        await ProbeFile.RunAsync(steps, new Store(client, destination, s3, folder, logger), limits.RequestTimeout);
    }

    private sealed class Store(AmazonS3Client client, S3Destination destination, S3Settings s3, string folder, ILogger logger) : IProbeFileStore
    {
        public bool Renames => false;

        public async Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            var key = DestinationPath.ObjectName(folder, name);
            try
            {
                await S3Destination.PutAsync(client, s3.Bucket, key, "text/plain; charset=utf-8", content.ToArray(), cancellationToken);
            }
            catch (AmazonS3Exception e) when (destination.Refusal(e, s3) is { } refusal)
            {
                throw refusal;
            }

            return $"Wrote s3://{s3.Bucket}/{key} with PutObject, as an export writes.";
        }

        public Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken) =>
            throw new NotSupportedException("S3 has no rename.");

        public async Task<string> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            var key = DestinationPath.ObjectName(folder, name);
            try
            {
                await client.DeleteObjectAsync(s3.Bucket, key, cancellationToken);
            }
            catch (AmazonS3Exception e) when (destination.Refusal(e, s3) is { Code: ErrorCodes.DestinationPermissionDenied })
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"S3 denied the access key deleting s3://{s3.Bucket}/{key} ({e.ErrorCode}): exports do not delete, but the probe object is left there; please remove it.", e);
            }

            return $"Deleted {key}.";
        }

        public async Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            foreach (var name in names)
            {
                try
                {
                    // Deleting a key that was never written succeeds.
                    await client.DeleteObjectAsync(s3.Bucket, DestinationPath.ObjectName(folder, name), cancellationToken);
                }
                catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not remove the destination test's probe object {Name} in bucket {Bucket}", name, s3.Bucket);
                }
            }
        }
    }
}
