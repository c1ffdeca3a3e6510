
namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>
/// Destination type <c>aws</c> (the reference API's name; the storage is the service's own Azure Blob container),
/// also used when a request has no <c>destination</c>. It has no fields of its own.
/// </summary>
public sealed class ManagedKind : DestinationKind<ManagedSettings, NoSecrets>, IReadsLegacyRows
{
    public const string Name = "aws";

    public static DestinationInput Default { get; } = new(ManagedSettings.Instance, NoSecrets.Instance);

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields) => Default;

    public LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row) => new(ManagedSettings.Instance);
}
