using System.Text.Json;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Storage.Blobs;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Each job's audience list, as a JSON array in a private blob named after the job: a list of thousands of names
/// does not fit in a table row.
/// </summary>
public sealed class AudienceListStore
{
    private readonly BlobContainerClient _container;
    private readonly StorageResource _created;

    public AudienceListStore(StorageClients storage)
    {
        _container = storage.Blobs.GetBlobContainerClient(JobsOptions.RequestsContainer);
        _created = StorageResource.For(_container);
    }

    public async Task SaveAsync(string jobId, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var json = JsonSerializer.SerializeToUtf8Bytes(audiences);
        await _container.GetBlobClient(BlobName(jobId)).UploadAsync(new BinaryData(json), overwrite: true, cancellationToken);
    }

    /// <summary>The audiences, or null when the list is gone (a job whose creation never completed).</summary>
    public async Task<IReadOnlyList<string>?> LoadAsync(string jobId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        try
        {
            var content = await _container.GetBlobClient(BlobName(jobId)).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<string[]>();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _container.GetBlobClient(BlobName(jobId)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    private static string BlobName(string jobId) => jobId + ".json";
}
