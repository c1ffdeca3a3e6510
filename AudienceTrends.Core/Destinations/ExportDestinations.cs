namespace AudienceTrends.Core.Destinations;

/// <summary>The registered deliveries, by the wire name of their kind (see <see cref="DestinationKinds"/>).</summary>
public sealed class ExportDestinations(IEnumerable<IExportDestination> destinations)
{
    private readonly Dictionary<string, IExportDestination> _byType =
        destinations.ToDictionary(d => d.Type, StringComparer.OrdinalIgnoreCase);

    public IExportDestination For(string wireName) =>
        _byType.TryGetValue(wireName, out var destination)
            ? destination
            : throw new InvalidOperationException($"No destination is registered for type {wireName}.");
}
