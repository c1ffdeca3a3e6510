using System.Text.Json.Serialization;

namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>A container in the customer's own storage account, and a blob name or folder prefix in it.</summary>
public sealed record AzureBlobSettings : DestinationSettings
{
    protected override string KindName => AzureBlobKind.Name;

    /// <summary><c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;</c>, without a query or a trailing slash.</summary>
    [JsonPropertyName("container_url")]
    public required string ContainerUrl { get; init; }

    /// <summary>The blob name when it ends in the file's extension, else the folder prefix of the file.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    protected override string Describe() => $"{ContainerUrl}/{DestinationPath.ObjectPrefix(Path)}";
}

/// <summary>The container's shared access signature (the query string, without its <c>?</c>).</summary>
public sealed record AzureBlobSecrets : DestinationSecrets
{
    public string? SasToken { get; init; }

    protected override bool HasValues => SasToken is not null;
}
