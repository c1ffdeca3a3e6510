namespace AudienceTrends.Core.Destinations.Managed;

/// <summary>The service's own download storage has nothing to set: the file goes to its private container.</summary>
public sealed record ManagedSettings : DestinationSettings
{
    public static ManagedSettings Instance { get; } = new();

    protected override string KindName => ManagedKind.Name;

    protected override string Describe() => "managed download storage";
}
