
namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>Destination type <c>gcs</c>: bucket and optional folder; no credentials in the request.</summary>
public sealed class GcsKind : DestinationKind<GcsSettings, NoSecrets>, IReadsLegacyRows
{
    public const string Name = "gcs";

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields)
    {
        var bucket = fields.String("gcs_bucket", required: true, FieldRules.Bucket);
        var path = DestinationPath.Read(fields);
        return fields.HasProblems ? null : new DestinationInput(new GcsSettings { Bucket = bucket!, Path = path }, NoSecrets.Instance);
    }

    public LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row) =>
        new(new GcsSettings { Bucket = Text(row, "DestinationBucket") ?? "", Path = Text(row, "DestinationPath") });
}
