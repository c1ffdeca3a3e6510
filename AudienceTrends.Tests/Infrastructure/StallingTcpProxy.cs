using System.Net.Sockets;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy to a local server that delays every server-to-client chunk by <c>latency</c> (a slow network
/// path, so a test can act between two round trips) and, on <see cref="StallOpenConnections"/>, stops forwarding
/// either way on every connection open at that moment while keeping it open until the proxy is disposed, as a server
/// that stops answering mid-session would. Connections opened afterwards (a clean-up's new login) pass.
/// </summary>
public sealed class StallingTcpProxy : LoopbackTcpProxy
{
    private readonly int _targetPort;
    private readonly TimeSpan _latency;
    private readonly List<Relay> _open = [];

    public StallingTcpProxy(int targetPort, TimeSpan latency)
    {
        (_targetPort, _latency) = (targetPort, latency);
        Start();
    }

    /// <summary>How many connections have been stalled.</summary>
    public int Stalled { get; private set; }

    public void StallOpenConnections()
    {
        lock (_open)
        {
            foreach (var relay in _open)
            {
                relay.Stalled = true;
            }

            Stalled += _open.Count;
            _open.Clear();
        }
    }

    protected override void Accept(Socket client) => _ = RelayAsync(client);

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        var relay = new Relay();
        lock (_open)
        {
            _open.Add(relay);
        }

        try
        {
            using var server = await ConnectAsync(_targetPort);
            await Task.WhenAll(PumpAsync(client, server, relay, TimeSpan.Zero), PumpAsync(server, client, relay, _latency));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(relay);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Relay relay, TimeSpan delay)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, Stopping);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, Stopping);
            }

            if (relay.Stalled)
            {
                // Nothing more goes through; the sockets stay open until the proxy is disposed.
                await Task.Delay(Timeout.Infinite, Stopping);
            }

            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), Stopping);
        }
    }

    private sealed class Relay
    {
        public volatile bool Stalled;
    }
}
