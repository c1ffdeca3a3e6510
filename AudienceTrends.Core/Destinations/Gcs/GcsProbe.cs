using AudienceTrends.Core.Accounts;
using System.Net;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using Google;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>
/// Checks a <c>gcs</c> destination with the service's own credentials and the delivery's own client: resolve,
/// network guard and connect to the JSON API's host (a <c>Gcs:BaseUri</c> the operators set is, as in the
/// delivery, not guarded, and details name the setting, never its host), authenticate (reading the bucket: only refused credentials fail
/// it), then write a probe object in the export's folder through the delivery's resumable upload and delete it. GCS
/// has no rename. Each step within <see cref="GcsOptions.RequestTimeout"/>, the whole test within two of them.
/// </summary>
public sealed class GcsProbe(
    GcsDestination destination, DestinationNetworkGuard guard, IHostResolver resolver, IOptions<GcsOptions> options, ILogger<GcsProbe> logger)
    : IDestinationProbe
{
    private const string GoogleEndpoint = "https://storage.googleapis.com/storage/v1/";


    public ProbeTarget? Target(DestinationSettings settings) => new($"gcs:{((GcsSettings)settings).Bucket}", null);

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var (gcs, limits) = ((GcsSettings)settings, options.Value);
        steps.Limit(limits.RequestTimeout + limits.RequestTimeout);
        if (string.IsNullOrEmpty(limits.BaseUri))
        {
            var endpoint = new Uri(GoogleEndpoint);
            await DestinationTester.ReachAsync(steps, guard, endpoint.Host, endpoint.Port, limits.RequestTimeout);
        }
        else
        {
            await DestinationTester.ReachConfiguredAsync(steps, resolver, "Gcs:BaseUri", new Uri(limits.BaseUri), limits.RequestTimeout);
        }
        await steps.RunAsync("authenticate", limits.RequestTimeout, async token =>
        {
            try
            {
                await destination.Client.GetBucketAsync(gcs.Bucket, cancellationToken: token);
                return "GCS accepted the service's credentials.";
            }
            catch (GoogleApiException e) when (destination.Refusal(e, gcs) is { Code: ErrorCodes.DestinationPermissionDenied or ErrorCodes.DestinationNotFound })
            {
                return $"GCS accepted the service's credentials (reading the bucket answered {(int)e.HttpStatusCode}: the write checks the bucket).";
            }
            catch (Exception e) when (destination.Refusal(e, gcs) is { } refusal)
            {
                throw new ExportFailedException(refusal.Code,
                    $"{refusal.Message} The service writes with its own Google credentials: its operators must fix Gcs:CredentialsJson or grant that account access.", e);
            }
            catch (InvalidOperationException e)
            {
                throw new ExportFailedException(ErrorCodes.DestinationAuthFailed,
                    "The service has no Google credentials to write with: its operators must set Gcs:CredentialsJson.", e);
            }
        });
        await ProbeFile.RunAsync(steps, new Store(destination, gcs, logger), limits.RequestTimeout);
    }

    private sealed class Store(GcsDestination destination, GcsSettings gcs, ILogger logger) : IProbeFileStore
    {
        public bool Renames => false;

        public async Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            var objectName = DestinationPath.ObjectName(gcs.Path, name);
            try
            {
                await destination.UploadAsync(gcs.Bucket, objectName, "text/plain; charset=utf-8", new MemoryStream(content.ToArray()), cancellationToken);
            }
            catch (Exception e) when (destination.Refusal(e, gcs) is { } refusal)
            {
                throw refusal;
            }

            return $"Wrote gs://{gcs.Bucket}/{objectName} with a resumable upload, as an export writes.";
        }

        public Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken) =>
            throw new NotSupportedException("GCS has no rename.");

        public async Task<string> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            var objectName = DestinationPath.ObjectName(gcs.Path, name);
            try
            {
                await destination.Client.DeleteObjectAsync(gcs.Bucket, objectName, cancellationToken: cancellationToken);
            }
            catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.Forbidden)
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"GCS denied the service's account deleting gs://{gcs.Bucket}/{objectName}: exports do not delete, but the probe object is left there; please remove it.", e);
            }

            return $"Deleted {objectName}.";
        }

        public async Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            foreach (var name in names)
            {
                try
                {
                    await destination.Client.DeleteObjectAsync(gcs.Bucket, DestinationPath.ObjectName(gcs.Path, name), cancellationToken: cancellationToken);
                }
                catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
                {
                    // Never written.
                }
                catch (Exception e) when (e is GoogleApiException or HttpRequestException or IOException or OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not remove the destination test's probe object {Name} in bucket {Bucket}", name, gcs.Bucket);
                }
            }
        }
    }
}
