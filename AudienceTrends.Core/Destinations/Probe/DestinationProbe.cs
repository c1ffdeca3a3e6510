namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// A kind's check of a destination for <c>POST /v2/destinations/test</c>, without exporting: each kind provides one in
/// its own folder and registers it with the kind (the registry, <see cref="DestinationKinds"/>, finds it by wire name). It runs its steps through <see cref="ProbeSteps"/> in order (resolve,
/// network guard, connect, host key, authenticate, write, rename, delete: those that apply), never leaves a file
/// behind and never puts a secret in a step's detail.
/// </summary>
public interface IDestinationProbe
{
    Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, ProbeSteps steps, CancellationToken cancellationToken);
}

/// <param name="Name">resolve, network guard, connect, host key, authenticate, write, rename or delete.</param>
/// <param name="Detail">What was seen, or for a failed step what to fix; never a secret.</param>
public sealed record ProbeStep(string Name, bool Ok, long Ms, string Detail);

public sealed record ProbeReport(bool Ok, IReadOnlyList<ProbeStep> Steps);
