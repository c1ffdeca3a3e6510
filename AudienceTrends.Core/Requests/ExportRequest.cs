using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Core.Requests;

/// <summary>A validated export request: what to export and where to deliver it.</summary>
public sealed record ExportRequest
{
    /// <summary>The file name without extension: letters, digits and dashes.</summary>
    public required string Name { get; init; }

    /// <summary><c>csv</c>, <c>jsonl</c> or <c>parquet</c> (<see cref="ExportFile.Formats"/>), lower case once validated.</summary>
    public string ExportType { get; init; } = ExportFile.Csv;

    /// <summary><c>wide</c> or <c>long</c> (<see cref="Export.Formats.ExportLayout"/>): the format's default when the body named none.</summary>
    public string Layout { get; init; } = Export.Formats.ExportLayout.Wide;

    /// <summary><c>none</c> or <c>gzip</c> (<see cref="ExportFile.Compressions"/>), lower case once validated.</summary>
    public string Compression { get; init; } = ExportFile.None;

    /// <summary>The destination's non-secret settings, as its kind read them.</summary>
    public required DestinationSettings Destination { get; init; }

    /// <summary>Credentials for the destination. Never stored or logged in clear.</summary>
    public DestinationSecrets Secrets { get; init; } = NoSecrets.Instance;

    /// <summary>Where to send the job's completion event, when the request asked for one.</summary>
    public WebhookRequest? Webhook { get; init; }

    public required DateOnly FirstDay { get; init; }

    public required DateOnly LastDay { get; init; }

    /// <summary>Audience names in request order, unique.</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>The delivered file's name.</summary>
    public string FileName => ExportFile.For(Name, ExportType, Compression).Name;

    public int DayCount => LastDay.DayNumber - FirstDay.DayNumber + 1;
}
