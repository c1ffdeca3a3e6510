namespace AudienceTrends.Core.Storage;

/// <summary>
/// The storage account holding the job table, the queues and the download container: the same account and the same
/// settings the Functions host uses (<c>AzureWebJobsStorage</c>). Either a connection string (locally:
/// <c>UseDevelopmentStorage=true</c> for Azurite) or identity-based settings (<c>AzureWebJobsStorage__accountName</c>
/// or the service URIs, with <c>__credential=managedidentity</c> and <c>__clientId</c> for a user-assigned identity).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }

    public string? AccountName { get; set; }

    public Uri? BlobServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    public Uri? TableServiceUri { get; set; }

    /// <summary><c>managedidentity</c> to use the managed identity; otherwise the default Azure credential chain.</summary>
    public string? Credential { get; set; }

    /// <summary>Client id of a user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    internal IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(AccountName) &&
            (BlobServiceUri is null || QueueServiceUri is null || TableServiceUri is null))
        {
            yield return "is not set: give a connection string (AzureWebJobsStorage), or AzureWebJobsStorage__accountName, " +
                "or all of AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri.";
        }
    }
}
