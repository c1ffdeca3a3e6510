namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>Section <c>ManagedStorage</c>: the service's own download storage (destination type <c>aws</c>).</summary>
public sealed class ManagedStorageOptions
{
    public const string SectionName = "ManagedStorage";

    /// <summary>Private blob container holding the files.</summary>
    public string Container { get; set; } = "exports";

    /// <summary>
    /// Longest link lifetime: in Azure a link is signed with a user delegation key, which lives at most 7 days, and
    /// the app keeps a key a day longer than the links it signs.
    /// </summary>
    public static readonly TimeSpan MaxDownloadUrlLifetime = TimeSpan.FromDays(6);

    /// <summary>How long a download link works after it is handed out.</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Files are deleted after this many days (a lifecycle rule does the same in Azure).</summary>
    public int RetentionDays { get; set; } = 30;

    internal static IEnumerable<string> Validate(ManagedStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Container) || options.Container.Length is < 3 or > 63 ||
            !options.Container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            yield return "Container must be a valid blob container name (3-63 lower-case letters, digits, dashes).";
        }

        if (options.DownloadUrlLifetime < TimeSpan.FromMinutes(1) || options.DownloadUrlLifetime > MaxDownloadUrlLifetime)
        {
            yield return "DownloadUrlLifetime must be between 00:01:00 and 6.00:00:00 (Azure signs links with a user " +
                "delegation key that lives at most 7 days).";
        }

        if (options.RetentionDays < 1)
        {
            yield return "RetentionDays must be at least 1.";
        }
    }
}
