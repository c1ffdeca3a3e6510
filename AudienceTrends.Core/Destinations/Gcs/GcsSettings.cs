using System.Text.Json.Serialization;

namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>A GCS destination: the bucket and a folder prefix; the service writes with its own Google credentials.</summary>
public sealed record GcsSettings : DestinationSettings
{
    protected override string KindName => GcsKind.Name;

    [JsonPropertyName("gcs_bucket")]
    public required string Bucket { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    protected override string Describe() => $"gs://{Bucket}/{DestinationPath.ObjectPrefix(Path)}";
}
