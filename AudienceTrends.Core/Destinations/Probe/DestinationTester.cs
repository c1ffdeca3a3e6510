using AudienceTrends.Core.Accounts;
using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.NetworkGuard;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Runs the probe of a destination's kind and reports its steps (<c>POST /v2/destinations/test</c>).</summary>
public sealed class DestinationTester
{
    /// <summary>
    /// One answer whether a name does not exist or resolves only to refused addresses, so the test cannot tell which
    /// internal names exist.
    /// </summary>
    public const string NoUsableAddress =
        "has no usable address: it does not resolve, or only to addresses the service does not connect to (private, " +
        "loopback, link-local or platform addresses; an operator can allow such a network with NetworkGuard:AllowedNetworks). Check the host name.";

    private readonly DestinationKinds _kinds;
    private readonly TimeProvider _time;
    private readonly DestinationTestOptions _options;
    private readonly ILogger<DestinationTester> _logger;

    /// <summary>Every registered kind has a probe (<see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>).</summary>
    public DestinationTester(
        DestinationKinds kinds, TimeProvider time, IOptions<DestinationTestOptions> options, ILogger<DestinationTester> logger) =>
        (_kinds, _time, _options, _logger) = (kinds, time, options.Value, logger);

    /// <summary>What the test of <paramref name="settings"/> reaches, for the per-host limit (<see cref="ProbeLimiter"/>).</summary>
    public ProbeTarget? TargetOf(DestinationSettings settings) => _kinds.ProbeFor(settings.Type).Target(settings);

    /// <summary>Runs the test and logs it for operators: who asked, kind, target, outcome; never a credential.</summary>
    public async Task<ProbeReport> TestAsync(DestinationInput destination, AccountId caller, CancellationToken cancellationToken)
    {
        var probe = _kinds.ProbeFor(destination.Settings.Type);
        var target = probe.Target(destination.Settings);
        using var steps = new ProbeSteps(_time, cancellationToken, _options.Timeout, _options.CleanUpTimeout);
        try
        {
            await probe.ProbeAsync(destination.Settings, destination.Secrets, caller, steps, cancellationToken);
        }
        catch (ProbeStoppedException)
        {
            // Recorded as the failed step.
        }

        var report = new ProbeReport(steps.Steps.All(s => s.Ok), steps.Steps);
        var last = steps.Steps.Count > 0 ? steps.Steps[^1].Name : "none";
        _logger.LogInformation(
            "Destination test by account {AccountId}: kind {Kind}, host {TargetHost}, port {TargetPort}, {Outcome} at step {Step} ({Failure})",
            caller.Value, destination.Settings.Type, target?.Host, target?.Port, report.Ok ? "passed" : "failed", last,
            steps.Failure?.GetType().Name ?? "no failure");
        return report;
    }

    /// <summary>
    /// <see cref="ReachAsync(ProbeSteps, Func{Task{IPAddress}}, string, int, TimeSpan, Func{Stream, CancellationToken, Task{string}}?)"/>
    /// with the network guard every kind but <c>azureblob</c> uses.
    /// </summary>
    public static Task<IPAddress> ReachAsync(
        ProbeSteps steps, DestinationNetworkGuard guard, string host, int port, TimeSpan connectTimeout,
        Func<Stream, CancellationToken, Task<string>>? greeting = null) =>
        ReachAsync(steps, () => guard.ResolveAsync(host, port, steps.Token), host, port, connectTimeout, greeting);

    /// <summary>
    /// The network steps for an endpoint the service's operators configured (<paramref name="setting"/>, such as
    /// <c>S3:ServiceUrl</c>) rather than a host the request names: the delivery connects to it without the network
    /// guard. Its details name the setting, never the endpoint (an operator's host, which may carry credentials);
    /// resolve and connect run as for any host, to the first address the name resolves to.
    /// </summary>
    public static Task<IPAddress> ReachConfiguredAsync(
        ProbeSteps steps, IHostResolver resolver, string setting, Uri endpoint, TimeSpan connectTimeout) =>
        Reach(steps, connectTimeout, endpoint.Port, null, async token =>
        {
            IPAddress? address = null;
            try
            {
                address = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
                    ? literal
                    : (await resolver.ResolveAsync(endpoint.Host, token)).FirstOrDefault();
            }
            catch (SocketException)
            {
                // As no address.
            }

            return address is null
                ? throw new ExportFailedException(ErrorCodes.DestinationNotFound, $"The endpoint in {setting} has no address: its operators must check {setting}.")
                : (address, $"The endpoint in {setting} resolves; it is the service's own setting, so the network guard (for hosts a request names) does not apply.");
        });

    /// <summary>
    /// The network steps every host-based kind starts with: resolve (the name through the network guard
    /// <paramref name="guard"/>, so nothing is said about a name before the guard has judged its addresses, and a name
    /// that does not exist gets the same answer as one that resolves only to refused addresses), then connect (TCP,
    /// and where the protocol has one, reading the server's greeting with <paramref name="greeting"/>, which returns
    /// the detail and must not quote the server). Each ends within <paramref name="connectTimeout"/>. Returns the
    /// address the guard allowed.
    /// </summary>
    public static Task<IPAddress> ReachAsync(
        ProbeSteps steps, Func<Task<IPAddress>> guard, string host, int port,
        TimeSpan connectTimeout, Func<Stream, CancellationToken, Task<string>>? greeting = null) =>
        Reach(steps, connectTimeout, port, greeting, async token =>
        {
            try
            {
                var address = await guard();
                return (address, IPAddress.TryParse(host.Trim('[', ']'), out _)
                    ? $"{host} is an IP address the service may connect to."
                    : $"{host} resolves to an address the service may connect to.");
            }
            catch (Exception e) when (e is SocketException || e is ExportFailedException { Code: ErrorCodes.HostNotAllowed })
            {
                throw new ExportFailedException(ErrorCodes.HostNotAllowed, $"{host} {NoUsableAddress}", e);
            }
        });

    private static async Task<IPAddress> Reach(
        ProbeSteps steps, TimeSpan connectTimeout, int port, Func<Stream, CancellationToken, Task<string>>? greeting,
        Func<CancellationToken, Task<(IPAddress, string)>> resolve)
    {
        var address = await steps.RunAsync("resolve", connectTimeout, resolve);
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
