using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.NetworkGuard;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Runs the probe of a destination's kind and reports its steps (<c>POST /v2/destinations/test</c>).</summary>
public sealed class DestinationTester
{
    private readonly DestinationKinds _kinds;
    private readonly TimeProvider _time;
    private readonly ILogger<DestinationTester> _logger;

    /// <summary>Every registered kind has a probe (<see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>).</summary>
    public DestinationTester(DestinationKinds kinds, TimeProvider time, ILogger<DestinationTester> logger) =>
        (_kinds, _time, _logger) = (kinds, time, logger);

    public async Task<ProbeReport> TestAsync(DestinationInput destination, CancellationToken cancellationToken)
    {
        var probe = _kinds.ProbeFor(destination.Settings.Type);
        using var steps = new ProbeSteps(_time, cancellationToken);
        try
        {
            await probe.ProbeAsync(destination.Settings, destination.Secrets, steps, cancellationToken);
        }
        catch (ProbeStoppedException)
        {
            _logger.LogInformation("Destination test of {Destination} stopped at step {Step}", destination.Settings.Summary, steps.Steps[^1].Name);
        }

        return new ProbeReport(steps.Steps.All(s => s.Ok), steps.Steps);
    }

    /// <summary>
    /// <see cref="ReachAsync(ProbeSteps, IHostResolver, Func{Task{IPAddress}}, string, int, TimeSpan, CancellationToken, Func{Stream, CancellationToken, Task{string}}?)"/>
    /// with the network guard every kind but <c>azureblob</c> uses; <paramref name="user"/> is named in a refusal.
    /// </summary>
    public static Task<IPAddress> ReachAsync(
        ProbeSteps steps, IHostResolver resolver, DestinationNetworkGuard guard, string host, int port, TimeSpan connectTimeout,
        string? user = null, Func<Stream, CancellationToken, Task<string>>? greeting = null) =>
        ReachAsync(steps, resolver, () => guard.ResolveAsync(host, port, steps.Token, user), host, port, connectTimeout, steps.Token, greeting);

    /// <summary>
    /// The network steps for an endpoint the service's operators configured (<paramref name="setting"/>, such as
    /// <c>S3:ServiceUrl</c>) rather than a host the request names: the delivery connects to it without the network
    /// guard, so the guard step passes saying why (naming the setting, never the URL, which may carry credentials),
    /// and resolve and connect run as for any host, to the first address the name resolves to.
    /// </summary>
    public static Task<IPAddress> ReachConfiguredAsync(
        ProbeSteps steps, IHostResolver resolver, string setting, Uri endpoint, TimeSpan connectTimeout) =>
        Reach(steps, resolver, async () => (await AddressesAsync(resolver, endpoint.Host, steps.Token)).FirstOrDefault()
                ?? throw new ExportFailedException(ErrorCodes.DestinationNotFound, $"{endpoint.Host} has no address: check {setting}."),
            endpoint.Host, endpoint.Port, connectTimeout,
            $"The endpoint is the service's own setting {setting}: the network guard applies to the hosts a request names.", null);

    /// <summary>
    /// The network steps every host-based kind starts with: resolve, network guard, connect (TCP, and where the
    /// protocol has one, reading the server's greeting with <paramref name="greeting"/>, which returns the detail).
    /// Each ends within <paramref name="connectTimeout"/>. Returns the address the guard allowed.
    /// </summary>
    public static Task<IPAddress> ReachAsync(
        ProbeSteps steps, IHostResolver resolver, Func<Task<IPAddress>> guard, string host, int port,
        TimeSpan connectTimeout, CancellationToken cancellationToken, Func<Stream, CancellationToken, Task<string>>? greeting = null) =>
        Reach(steps, resolver, guard, host, port, connectTimeout, "The address is allowed.", greeting);

    private static async Task<IPAddress[]> AddressesAsync(IHostResolver resolver, string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);

    /// <summary>Whether <paramref name="host"/> has an address; DNS answers "no such name" with an exception, which is that answer.</summary>
    private static async Task<bool> ResolvesAsync(IHostResolver resolver, string host, CancellationToken cancellationToken)
    {
        try
        {
            return (await resolver.ResolveAsync(host, cancellationToken)).Length > 0;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return false;
        }
    }

    private static async Task<IPAddress> Reach(
        ProbeSteps steps, IHostResolver resolver, Func<Task<IPAddress>> guard, string host, int port,
        TimeSpan connectTimeout, string allowedDetail, Func<Stream, CancellationToken, Task<string>>? greeting)
    {
        await steps.RunAsync("resolve", connectTimeout, async token => IPAddress.TryParse(host.Trim('[', ']'), out _)
            ? $"{host} is an IP address."
            : await ResolvesAsync(resolver, host, token)
                ? $"{host} resolves."
                : throw new ExportFailedException(ErrorCodes.DestinationNotFound, $"{host} has no address: check the host name."));
        var address = await steps.RunAsync("network guard", async () => (await guard(), allowedDetail));
        await steps.RunAsync("connect", connectTimeout, async token =>
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var abort = token.Register(socket.Dispose);
            await socket.ConnectAsync(address, port, token);
            if (greeting is null)
            {
                return $"Connected to port {port}.";
            }

            await using var stream = new NetworkStream(socket, ownsSocket: false);
            return await greeting(stream, token);
        });
        return address;
    }
}
