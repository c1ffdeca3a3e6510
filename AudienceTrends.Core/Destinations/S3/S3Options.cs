namespace AudienceTrends.Core.Destinations.S3;

/// <summary>How the service talks to Amazon S3 (or an S3-compatible store). Section <c>S3</c>.</summary>
public sealed class S3Options
{
    public const string SectionName = "S3";

    /// <summary>S3 refuses parts smaller than this (except the last one).</summary>
    public const int MinimumPartSizeBytes = 5 * 1024 * 1024;

    /// <summary>Two parts are held in memory per upload, so the size is capped.</summary>
    public const int MaximumPartSizeBytes = 512 * 1024 * 1024;

    /// <summary>
    /// Endpoint override (<c>http://127.0.0.1:9000</c>) for S3-compatible stores and tests; empty means AWS, chosen by
    /// the request's region. Requests are still signed for the request's region.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible stores behind <see cref="ServiceUrl"/> need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Size of each multipart part; content shorter than one part is sent with a single PutObject.</summary>
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Longest time one HTTP request (one part) may take before it fails and the job is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    internal static IEnumerable<string> Validate(S3Options options)
    {
        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            yield return "ServiceUrl must be an absolute http or https URL.";
        }

        if (options.PartSizeBytes is < MinimumPartSizeBytes or > MaximumPartSizeBytes)
        {
            yield return $"PartSizeBytes must be between {MinimumPartSizeBytes} (5 MiB) and {MaximumPartSizeBytes}.";
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            yield return "RequestTimeout must be positive.";
        }
    }
}
