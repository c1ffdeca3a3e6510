using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Destinations;

/// <summary>Finds the registered <see cref="IExportDestination"/> for a destination type.</summary>
public sealed class ExportDestinations(IEnumerable<IExportDestination> destinations)
{
    private readonly Dictionary<DestinationType, IExportDestination> _byType = destinations.ToDictionary(d => d.Type);

    public IExportDestination For(DestinationType type) =>
        _byType.TryGetValue(type, out var destination)
            ? destination
            : throw new InvalidOperationException($"No destination is registered for type {type.ToWireName()}.");
}
