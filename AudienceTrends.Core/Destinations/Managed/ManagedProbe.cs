using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations.Probe;
using AudienceTrends.Core.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>Checks type <c>aws</c>: the service's own download container can be written and cleaned (write, delete).</summary>
public sealed class ManagedProbe(StorageClients storage, IOptions<ManagedStorageOptions> options) : IDestinationProbe
{
    private readonly BlobContainerClient _container = storage.Blobs.GetBlobContainerClient(options.Value.Container);


    public ProbeTarget? Target(DestinationSettings settings) => null;

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient($"probes/{Guid.NewGuid():N}.txt");
        await steps.RunAsync("write", async () =>
        {
            await StorageResource.For(_container).EnsureAsync(steps.Token);
            await blob.UploadAsync(BinaryData.FromString("audiencetrends destination test"), steps.Token);
            return $"Wrote {blob.Name} in the service's container {_container.Name}.";
        });
        await steps.RunAsync("delete", async () =>
        {
            await blob.DeleteAsync(cancellationToken: steps.Token);
            return $"Deleted {blob.Name}.";
        });
    }
}
