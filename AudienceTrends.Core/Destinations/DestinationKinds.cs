using System.Diagnostics.CodeAnalysis;
using AudienceTrends.Core.Destinations.Probe;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// One destination kind as registered: its shape (wire name, fields, settings), its delivery and its probe. The
/// delivery and the probe are created on first use, so what only reads requests (the parser) needs no storage or
/// network clients.
/// </summary>
public sealed class RegisteredKind(IDestinationKind kind, Func<IExportDestination> delivery, Func<IDestinationProbe> probe)
{
    private readonly Lazy<IExportDestination> _delivery = new(delivery);
    private readonly Lazy<IDestinationProbe> _probe = new(probe);

    public IDestinationKind Kind { get; } = kind;

    public string WireName => Kind.WireName;

    public IExportDestination Delivery => _delivery.Value;

    public IDestinationProbe Probe => _probe.Value;
}

/// <summary>
/// The registry, the one place a wire name is looked up: destination wire names to their kind, delivery and probe, in
/// registration order (see <see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>).
/// </summary>
public sealed class DestinationKinds
{
    private readonly Dictionary<string, RegisteredKind> _byName = new(StringComparer.OrdinalIgnoreCase);

    public DestinationKinds(IEnumerable<RegisteredKind> kinds)
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

    /// <summary>Every registered kind, in registration order.</summary>
    public IEnumerable<RegisteredKind> All => _byName.Values;

    /// <summary>The kind named <paramref name="wireName"/>, in any case.</summary>
    public bool TryFind(string? wireName, [NotNullWhen(true)] out IDestinationKind? kind)
    {
        kind = wireName is not null && _byName.TryGetValue(wireName, out var registered) ? registered.Kind : null;
        return kind is not null;
    }

    public IDestinationKind Find(string wireName) => Registered(wireName).Kind;

    /// <summary>The delivery of the kind named <paramref name="wireName"/>.</summary>
    public IExportDestination DeliveryFor(string wireName) => Registered(wireName).Delivery;

    /// <summary>The probe of the kind named <paramref name="wireName"/> (<c>POST /v2/destinations/test</c>).</summary>
    public IDestinationProbe ProbeFor(string wireName) => Registered(wireName).Probe;

    private RegisteredKind Registered(string wireName) =>
        _byName.TryGetValue(wireName, out var kind)
            ? kind
            : throw new InvalidOperationException($"No destination kind is registered as {wireName}.");
}
