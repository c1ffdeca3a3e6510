using System.Text.Json.Serialization;

namespace AudienceTrends.Core.Destinations.S3;

/// <summary>An S3 destination: bucket, region and an object key or folder prefix.</summary>
public sealed record S3Settings : DestinationSettings
{
    protected override string KindName => S3Kind.Name;

    [JsonPropertyName("aws_bucket")]
    public required string Bucket { get; init; }

    [JsonPropertyName("aws_region")]
    public required string Region { get; init; }

    /// <summary>The object key when it ends in the file's extension, else the folder prefix of <c>&lt;name&gt;.csv</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    protected override string Describe() => $"s3://{Bucket}/{DestinationPath.ObjectPrefix(Path)} ({Region})";
}

/// <summary>The request's own AWS access key.</summary>
public sealed record S3Secrets : DestinationSecrets
{
    // The payload's names are those rows written before destination kinds used; they must stay readable.
    [JsonPropertyName("AwsAccessKeyId")]
    public string? AccessKeyId { get; init; }

    [JsonPropertyName("AwsSecretAccessKey")]
    public string? SecretAccessKey { get; init; }

    protected override bool HasValues => AccessKeyId is not null || SecretAccessKey is not null;
}
