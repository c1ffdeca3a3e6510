namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>How the service writes to customers' Azure Blob containers. Section <c>AzureBlob</c>.</summary>
public sealed class AzureBlobOptions
{
    public const string SectionName = "AzureBlob";

    /// <summary>Size of each staged block; two are held in memory per upload.</summary>
    public int BlockSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Longest time to open a connection.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest time one request (one block) may take before it is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the client resends a failed request before the job's own retry takes over.</summary>
    public int MaxRetries { get; set; } = 3;

    internal static IEnumerable<string> Validate(AzureBlobOptions options)
    {
        if (options.BlockSizeBytes is < 64 * 1024 or > 256 * 1024 * 1024)
        {
            yield return "BlockSizeBytes must be between 65536 (64 KiB) and 268435456 (256 MiB).";
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            yield return "ConnectTimeout must be positive.";
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            yield return "RequestTimeout must be positive.";
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            yield return "MaxRetries must be between 0 and 10.";
        }
    }
}
