using AudienceTrends.Core.Accounts;
namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// A kind's check of a destination for <c>POST /v2/destinations/test</c>, without exporting: each kind provides one in
/// its own folder and registers it with the kind (the registry, <see cref="DestinationKinds"/>, finds it by wire name).
/// It runs its steps through <see cref="ProbeSteps"/> in order (resolve (through the network guard), connect, host key,
/// authenticate, write, rename, delete: those that apply), never leaves a file
/// behind and never puts a secret in a step's detail.
/// </summary>
public interface IDestinationProbe
{
    Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken);

    /// <summary>
    /// What the test reaches, for the per-host limit and the operators' log: the host (or bucket) and port the
    /// request names; null for a kind that only reaches the service's own storage.
    /// </summary>
    ProbeTarget? Target(DestinationSettings settings);
}

/// <param name="Host">A host name or address, or for an object store <c>s3:bucket</c> / <c>gcs:bucket</c>; never a secret.</param>
public sealed record ProbeTarget(string Host, int? Port);

/// <param name="Name">resolve, connect, host key, authenticate, write, rename or delete.</param>
/// <param name="Detail">What was seen, or for a failed step what to fix; never a secret.</param>
public sealed record ProbeStep(string Name, bool Ok, long Ms, string Detail);

public sealed record ProbeReport(bool Ok, IReadOnlyList<ProbeStep> Steps);
