using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>
/// Checks an <c>azureblob</c> destination: resolve, network guard, connect, then write, which stages one uncommitted
/// block of a uniquely named probe blob under the destination's folder. That needs exactly the write permission an
/// export needs, and an uncommitted block is never visible and is discarded by the service, so nothing is left and
/// there is nothing to rename or delete. A refused SAS fails the write step, saying so.
/// </summary>
public sealed class AzureBlobProbe(
    AzureBlobDestination destination, AzureBlobHosts hosts, IHostResolver resolver, IOptions<AzureBlobOptions> options)
    : IDestinationProbe
{

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var blob = (AzureBlobSettings)settings;
        steps.Limit(options.Value.ConnectTimeout + options.Value.RequestTimeout);
        var url = new Uri(blob.ContainerUrl);
        await DestinationTester.ReachAsync(steps, resolver, () => hosts.ResolveAsync(url.Host, url.Port, cancellationToken),
            url.Host, url.Port, options.Value.ConnectTimeout, cancellationToken);
        await steps.RunAsync("write", async () =>
        {
            var container = await destination.ContainerAsync(blob, (AzureBlobSecrets)secrets, cancellationToken);
            var name = DestinationPath.ObjectName(ProbeFile.ObjectFolder(blob.Path), $".audiencetrends-probe-{Guid.NewGuid():N}");
            try
            {
                await container.GetBlockBlobClient(name).StageBlockAsync(
                    Convert.ToBase64String("probe"u8), new MemoryStream("audiencetrends destination test"u8.ToArray()), cancellationToken: cancellationToken);
            }
            catch (RequestFailedException e)
            {
                throw (Exception?)AzureBlobDestination.Refusal(e, blob.ContainerUrl)
                    ?? new IOException($"Azure Blob Storage answered {e.Status} ({e.ErrorCode}) for {blob.ContainerUrl}.");
            }

            return $"Staged an uncommitted block of {name}: the SAS may write here. Uncommitted blocks are never visible and are discarded by the service.";
        });
    }
}
