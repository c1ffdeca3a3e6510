using System.Buffers;

namespace AudienceTrends.Core.Destinations.S3;

/// <summary>Destination type <c>s3</c>: bucket, region and optional path, with the request's own access key.</summary>
public sealed class S3Kind : DestinationKind<S3Settings, S3Secrets>, IReadsLegacyRows
{
    public const string Name = "s3";

    private static readonly SearchValues<char> RegionChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz" + FieldRules.Digits + "-");

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields)
    {
        var bucket = fields.String("aws_bucket", required: true, FieldRules.Bucket);
        var region = fields.String("aws_region", required: true, RegionProblem);
        var path = DestinationPath.Read(fields);
        var accessKeyId = fields.String("aws_access_key_id", required: true);
        var secretAccessKey = fields.String("aws_secret_access_key", required: true);
        if (fields.HasProblems)
        {
            return null;
        }

        return new DestinationInput(
            new S3Settings { Bucket = bucket!, Region = region!, Path = path },
            new S3Secrets { AccessKeyId = accessKeyId, SecretAccessKey = secretAccessKey });
    }

    public LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row) =>
        new(new S3Settings
        {
            Bucket = Text(row, "DestinationBucket") ?? "",
            Region = Text(row, "DestinationRegion") ?? "",
            Path = Text(row, "DestinationPath"),
        });

    private static string? RegionProblem(string region) =>
        region.Length is < 2 or > 32 || region.AsSpan().ContainsAnyExcept(RegionChars)
            ? "must be an AWS region name such as us-west-2 (lower-case letters, digits and dashes)."
            : null;
}
