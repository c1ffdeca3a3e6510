using System.Text.Json;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Storage.Blobs;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Each job's audience list, as a JSON array: in the job's own row when short (most jobs name a handful, and the
/// intake then makes no request for it), else in a private blob named after the job, as a list of thousands of names
/// does not fit in a table column. Rows written before the column existed have their list in the blob.
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

    /// <summary>
    /// Longest list JSON kept in the row, in UTF-16 characters: half of what a table string property holds (32K), so
    /// the row stays far below the 1 MiB entity limit whatever else it carries.
    /// </summary>
    public const int MaxInlineChars = 16 * 1024;

    /// <summary>Puts the list in <paramref name="job"/>'s row when short (saved with the row), else in its blob.</summary>
    public async Task SaveAsync(ExportJob job, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(audiences);
        if (json.Length <= MaxInlineChars)
        {
            job.KeepAudiencesInRow(json);
            return;
        }

        await _created.EnsureAsync(cancellationToken);
        await _container.GetBlobClient(BlobName(job)).UploadAsync(BinaryData.FromString(json), overwrite: true, cancellationToken);
    }

    /// <summary>The audiences, or null when the list is gone (a job whose creation never completed).</summary>
    public async Task<IReadOnlyList<string>?> LoadAsync(ExportJob job, CancellationToken cancellationToken)
    {
        if (job.Audiences is not null)
        {
            return JsonSerializer.Deserialize<string[]>(job.Audiences);
        }

        await _created.EnsureAsync(cancellationToken);
        try
        {
            var content = await _container.GetBlobClient(BlobName(job)).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<string[]>();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _container.GetBlobClient(BlobName(job)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    /// <summary><c>&lt;account&gt;/&lt;jobId&gt;.json</c>; <c>&lt;jobId&gt;.json</c> for a job stored before accounts existed.</summary>
    private static string BlobName(ExportJob job) =>
        job.RowPartition == ExportJob.LegacyPartition ? job.Id + ".json" : $"{job.Account.Value}/{job.Id}.json";
}
