using System.Net.Sockets;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// A kind's check of a destination for <c>POST /v2/destinations/test</c>, without exporting: each kind provides one in
/// its own folder and registers it with the kind. It runs its steps through <see cref="ProbeSteps"/> in order (resolve,
/// network guard, connect, host key, authenticate, write, rename, delete: those that apply), never leaves a file
/// behind and never puts a secret in a step's detail.
/// </summary>
public interface IDestinationProbe
{
    /// <summary>The wire name of the kind this checks (<see cref="IDestinationKind.WireName"/>).</summary>
    string Type { get; }

    Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, ProbeSteps steps, CancellationToken cancellationToken);
}

/// <param name="Name">resolve, network guard, connect, host key, authenticate, write, rename or delete.</param>
/// <param name="Detail">What was seen, or for a failed step what to fix; never a secret.</param>
public sealed record ProbeStep(string Name, bool Ok, long Ms, string Detail);

public sealed record ProbeReport(bool Ok, IReadOnlyList<ProbeStep> Steps);

/// <summary>Thrown by <see cref="ProbeSteps"/> once a step has failed and been recorded: the probe stops there.</summary>
public sealed class ProbeStoppedException() : Exception("A destination test step failed.");

/// <summary>Runs and records a probe's steps in order, timing each; the first failure is recorded and stops the probe.</summary>
public sealed class ProbeSteps(TimeProvider time)
{
    private readonly List<ProbeStep> _steps = [];

    public IReadOnlyList<ProbeStep> Steps => _steps;

    public Task RunAsync(string name, Func<Task<string>> step) =>
        RunAsync(name, async () => (0, await step()));

    public async Task<T> RunAsync<T>(string name, Func<Task<(T Value, string Detail)>> step)
    {
        var started = time.GetTimestamp();
        try
        {
            var (value, detail) = await step();
            _steps.Add(new ProbeStep(name, true, Elapsed(started), detail));
            return value;
        }
        catch (Exception e) when (e is not ProbeStoppedException)
        {
            _steps.Add(new ProbeStep(name, false, Elapsed(started), Explain(e)));
            throw new ProbeStoppedException();
        }
    }

    /// <summary>
    /// A failure's own words when they are known to hold no secret: the kinds' refusals (written for users), and
    /// network errors (which name at most a host); anything else by its type only.
    /// </summary>
    private static string Explain(Exception e) => e switch
    {
        ExportFailedException refused => refused.Message,
        OperationCanceledException or TimeoutException => "The step did not finish within the destination's timeout; check that the host and port are reachable from the service.",
        SocketException socket => $"The network refused or dropped the connection ({socket.SocketErrorCode}); check the host, the port and any firewall.",
        IOException or HttpRequestException => $"The connection failed ({e.GetType().Name}: {e.Message}).",
        _ => $"The step failed ({e.GetType().Name}).",
    };

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;
}
