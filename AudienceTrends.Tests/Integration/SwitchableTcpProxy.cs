using System.Net.Sockets;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// A loopback TCP proxy in front of one of Azurite's services that the test can switch: while
/// <see cref="Refusing"/> it resets every connection at once (the service looks unreachable); otherwise it relays.
/// <see cref="Accepted"/> runs for every connection before anything is relayed, so a test can act at the exact
/// moment the app first talks to the service.
/// </summary>
public sealed partial class SwitchableTcpProxy : LoopbackTcpProxy
{
    private readonly int _targetPort;

    public SwitchableTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        Start();
    }

    public bool Refusing { get; set; }

    public Action? Accepted { get; set; }

    /// <summary>Points the connection string's queue endpoint at a new proxy in front of Azurite's queue service.</summary>
    public static SwitchableTcpProxy ForQueues(IDictionary<string, string?> settings)
    {
        var connection = settings["AzureWebJobsStorage"]!;
        var queuePort = int.Parse(QueueEndpoint().Match(connection).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var proxy = new SwitchableTcpProxy(queuePort);
        settings["AzureWebJobsStorage"] = QueueEndpoint().Replace(connection, $"QueueEndpoint=http://127.0.0.1:{proxy.Port}");
        return proxy;
    }

    [GeneratedRegex(@"QueueEndpoint=http://127\.0\.0\.1:(\d+)")]
    private static partial Regex QueueEndpoint();

    protected override void Accept(Socket client)
    {
        Accepted?.Invoke();
        if (Refusing)
        {
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        _ = RelayAsync(client);
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        try
        {
            using var server = await ConnectAsync(_targetPort);
            await using var clientStream = new NetworkStream(client);
            await using var serverStream = new NetworkStream(server);
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, Stopping), serverStream.CopyToAsync(clientStream, Stopping));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // The proxy stopped or one side closed: the relay ends with the connection.
        }
    }
}
