namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// Limits of <c>POST /v2/destinations/test</c>. Section <c>DestinationTest</c>. A test reaches hosts the request names
/// and tries the credentials it carries, so how long, how many at once and how often are bounded.
/// </summary>
public sealed class DestinationTestOptions
{
    public const string SectionName = "DestinationTest";

    /// <summary>The cap on a whole test, every step under it (a kind's own shorter budget still applies).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the clean-up after a failed or timed-out step may take on top of <see cref="Timeout"/>.</summary>
    public TimeSpan CleanUpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tests running at once in one instance; one more is answered 429.</summary>
    public int MaxConcurrent { get; set; } = 4;

    /// <summary>Tests one account (the one whose API key the request carries) may start per <see cref="Window"/>.</summary>
    public int PerAccount { get; set; } = 10;

    /// <summary>Tests against one target host (whoever asks) per <see cref="Window"/>.</summary>
    public int PerHost { get; set; } = 5;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    internal static IEnumerable<string> Validate(DestinationTestOptions options)
    {
        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            yield return "Timeout must be between 00:00:01 and 00:10:00.";
        }

        if (options.CleanUpTimeout < TimeSpan.FromSeconds(1) || options.CleanUpTimeout > TimeSpan.FromMinutes(5))
        {
            yield return "CleanUpTimeout must be between 00:00:01 and 00:05:00.";
        }

        if (options.MaxConcurrent is < 1 or > 100)
        {
            yield return "MaxConcurrent must be between 1 and 100.";
        }

        if (options.PerAccount is < 1 or > 10_000 || options.PerHost is < 1 or > 10_000)
        {
            yield return "PerAccount and PerHost must be between 1 and 10000.";
        }

        if (options.Window < TimeSpan.FromSeconds(1) || options.Window > TimeSpan.FromDays(1))
        {
            yield return "Window must be between 00:00:01 and 1.00:00:00.";
        }
    }
}
