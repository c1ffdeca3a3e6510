using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// An export request without its days: the body of <c>POST /v2/audiencetrendsexport</c> less
/// <c>selected_timeframe_start</c> and <c>selected_timeframe_end</c>, validated by the same rules
/// (<see cref="ExportRequestParser.ReadTemplate"/>). A schedule keeps one and gives each run its days (<see cref="For"/>).
/// </summary>
public sealed record ExportTemplate
{
    /// <summary>The file name without extension: letters, digits and dashes.</summary>
    public required string Name { get; init; }

    /// <summary><c>csv</c>, <c>jsonl</c> or <c>parquet</c> (<see cref="ExportFile.Formats"/>), lower case once validated.</summary>
    public required string ExportType { get; init; }

    /// <summary><c>wide</c> or <c>long</c>, the format's default when the body named none.</summary>
    public required string Layout { get; init; }

    /// <summary><c>none</c> or <c>gzip</c> (<see cref="ExportFile.Compressions"/>), lower case once validated.</summary>
    public required string Compression { get; init; }

    /// <summary>The destination's non-secret settings, as its kind read them.</summary>
    public required DestinationSettings Destination { get; init; }

    /// <summary>Credentials for the destination. Never stored or logged in clear.</summary>
    public required DestinationSecrets Secrets { get; init; }

    /// <summary>Where to send a job's completion event, when the body asked for one.</summary>
    public WebhookRequest? Webhook { get; init; }

    /// <summary>Audience names in request order, unique.</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>The export of the days <paramref name="firstDay"/> to <paramref name="lastDay"/>, both included.</summary>
    public ExportRequest For(DateOnly firstDay, DateOnly lastDay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastDay, firstDay);
        return new ExportRequest
        {
            Name = Name,
            ExportType = ExportType,
            Layout = Layout,
            Compression = Compression,
            Destination = Destination,
            Secrets = Secrets,
            Webhook = Webhook,
            FirstDay = firstDay,
            LastDay = lastDay,
            Audiences = Audiences,
        };
    }
}
