using AudienceTrends.Core.Accounts;
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
    AzureBlobDestination destination, AzureBlobHosts hosts, IOptions<AzureBlobOptions> options)
    : IDestinationProbe
{
    public ProbeTarget? Target(DestinationSettings settings) =>
        new Uri(((AzureBlobSettings)settings).ContainerUrl) is var url ? new(url.Host, url.Port) : null;

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var blob = (AzureBlobSettings)settings;
        steps.Limit(options.Value.ConnectTimeout + options.Value.RequestTimeout);
        var url = new Uri(blob.ContainerUrl);
        await DestinationTester.ReachAsync(steps, () => hosts.ResolveAsync(url.Host, url.Port, steps.Token),
            url.Host, url.Port, options.Value.ConnectTimeout);

        // Within one request's timeout and the test's budget: the client's own retries would otherwise run on.
        await steps.RunAsync("write", options.Value.RequestTimeout, async token =>
        {
            var container = await destination.ContainerAsync(blob, (AzureBlobSecrets)secrets, token);
            var name = DestinationPath.ObjectName(ProbeFile.ObjectFolder(blob.Path), $".audiencetrends-probe-{Guid.NewGuid():N}");
            try
            {
                await container.GetBlockBlobClient(name).StageBlockAsync(
                    Convert.ToBase64String("probe"u8), new MemoryStream("audiencetrends destination test"u8.ToArray()), cancellationToken: token);
            }
            catch (RequestFailedException e)
            {
                throw (Exception?)AzureBlobDestination.Refusal(e, blob.ContainerUrl)
                    ?? new ExportFailedException(ErrorCodes.DestinationRejected, $"Azure Blob Storage answered {e.Status} to the write: check destination.container_url and destination.sas_token.", e);
            }

            return $"Staged an uncommitted block of {name}: the SAS may write here. Uncommitted blocks are never visible and are discarded by the service.";
        });
    }
}
