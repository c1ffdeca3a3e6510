using System.Diagnostics.CodeAnalysis;

namespace AudienceTrends.Core.Destinations;

/// <summary>The registry: destination wire names to kinds, in registration order (see <see cref="DestinationsRegistration"/>).</summary>
public sealed class DestinationKinds
{
    private readonly Dictionary<string, IDestinationKind> _byName = new(StringComparer.OrdinalIgnoreCase);

    public DestinationKinds(IEnumerable<IDestinationKind> kinds)
    {
        foreach (var kind in kinds)
        {
            if (!_byName.TryAdd(kind.WireName, kind))
            {
                throw new InvalidOperationException($"Two destination kinds are registered as {kind.WireName}.");
            }
        }

        WireNames = [.. _byName.Keys];
    }

    /// <summary>Every wire name, lower case, in registration order.</summary>
    public IReadOnlyList<string> WireNames { get; }

    /// <summary>The kind named <paramref name="wireName"/>, in any case.</summary>
    public bool TryFind(string? wireName, [NotNullWhen(true)] out IDestinationKind? kind)
    {
        kind = null;
        return wireName is not null && _byName.TryGetValue(wireName, out kind);
    }

    public IDestinationKind Find(string wireName) =>
        TryFind(wireName, out var kind) ? kind : throw new InvalidOperationException($"No destination kind is registered as {wireName}.");
}
