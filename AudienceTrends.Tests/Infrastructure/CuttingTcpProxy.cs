using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy to a local server that resets the first <c>connectionsToCut</c> connections once the client
/// has sent <c>cutAfterBytes</c> bytes through them, as a network failure mid-upload would. Later connections pass
/// untouched, so a cleanup or a retry can get through; given <c>laterTargetPort</c>, they go to that server instead
/// (a man in the middle who cuts a connection and answers the reconnect himself).
/// </summary>
public sealed class CuttingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly int _laterTargetPort;
    private readonly long _cutAfterBytes;
    private readonly Task _acceptLoop;
    private int _connectionsToCut;
    private int _cut;

    public CuttingTcpProxy(int targetPort, long cutAfterBytes, int connectionsToCut = 1, int? laterTargetPort = null)
    {
        _targetPort = targetPort;
        _laterTargetPort = laterTargetPort ?? targetPort;
        _cutAfterBytes = cutAfterBytes;
        _connectionsToCut = connectionsToCut;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections the proxy has cut so far.</summary>
    public int CutConnections => Volatile.Read(ref _cut);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var cut = Interlocked.Decrement(ref _connectionsToCut) >= 0;
            _ = RelayAsync(client, cut);
        }
    }

    private async Task RelayAsync(Socket client, bool cut)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var _ = client;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, cut ? _targetPort : _laterTargetPort, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var upstream = PumpAsync(client, server, cut ? _cutAfterBytes : long.MaxValue, done.Token);
            var downstream = PumpAsync(server, client, long.MaxValue, done.Token);
            if (await upstream && cut)
            {
                Interlocked.Increment(ref _cut);

                // Reset, not a polite close: both ends see the connection die mid-stream.
                client.LingerState = new LingerOption(true, 0);
                server.LingerState = new LingerOption(true, 0);
                await done.CancelAsync();
                return;
            }

            await downstream;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Copies until end of stream; true when it stopped because <paramref name="limit"/> bytes went through.</summary>
    private static async Task<bool> PumpAsync(Socket from, Socket to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return false;
                }

                var allowed = (int)Math.Min(read, limit - total);
                await to.SendAsync(buffer.AsMemory(0, allowed), cancellationToken);
                total += allowed;
                if (total >= limit)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }
}
