using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Export;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Runs the probe of a destination's kind and reports its steps (<c>POST /v2/destinations/test</c>).</summary>
public sealed class DestinationTester(IEnumerable<IDestinationProbe> probes, TimeProvider time, ILogger<DestinationTester> logger)
{
    private readonly Dictionary<string, IDestinationProbe> _byType = probes.ToDictionary(p => p.Type, StringComparer.OrdinalIgnoreCase);

    public bool CanTest(string wireName) => _byType.ContainsKey(wireName);

    public async Task<ProbeReport> TestAsync(DestinationInput destination, CancellationToken cancellationToken)
    {
        var probe = _byType[destination.Settings.Type];
        var steps = new ProbeSteps(time);
        try
        {
            await probe.ProbeAsync(destination.Settings, destination.Secrets, steps, cancellationToken);
        }
        catch (ProbeStoppedException)
        {
            logger.LogInformation("Destination test of {Destination} stopped at step {Step}", destination.Settings.Summary, steps.Steps[^1].Name);
        }

        return new ProbeReport(steps.Steps.All(s => s.Ok), steps.Steps);
    }

    /// <summary>The network steps every host-based kind starts with: resolve, network guard, connect (TCP).</summary>
    public static async Task<System.Net.IPAddress> ReachAsync(
        ProbeSteps steps, IHostResolver resolver, Func<Task<System.Net.IPAddress>> guard, string host, int port,
        TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        await steps.RunAsync("resolve", async () => System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _)
            ? $"{host} is an IP address."
            : (await resolver.ResolveAsync(host, cancellationToken)).Length > 0
                ? $"{host} resolves."
                : throw new ExportFailedException(ErrorCodes.DestinationNotFound, $"{host} has no address: check the host name."));
        var address = await steps.RunAsync("network guard", async () => (await guard(), "The address is allowed."));
        await steps.RunAsync("connect", async () =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(address, port, timeout.Token);
            return $"Connected to port {port}.";
        });
        return address;
    }
}
