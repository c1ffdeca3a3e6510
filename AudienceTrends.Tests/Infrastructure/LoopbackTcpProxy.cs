using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// What the tests' TCP proxies share: a listener on a free 127.0.0.1 port, a loop handing each accepted connection
/// to the derived proxy, and a disposal that stops accepting and cancels <see cref="Stopping"/>, which ends every relay.
/// </summary>
public abstract class LoopbackTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the proxy is disposed: relays pass it to every socket call.</summary>
    protected CancellationToken Stopping => _stop.Token;

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
            // The listener stopped under the pending accept: that is how the loop ends.
        }

        await DisposeRelaysAsync();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts listening and accepting; derived proxies call it last in their constructor, once their state is set.</summary>
    protected void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Takes over one accepted connection, in accept order; a relay it starts must not be awaited here.</summary>
    protected abstract void Accept(Socket client);

    /// <summary>Disposes what the proxy created besides its relays (which <see cref="Stopping"/> ends).</summary>
    protected virtual ValueTask DisposeRelaysAsync() => ValueTask.CompletedTask;

    /// <summary>A connection to the server on 127.0.0.1:<paramref name="port"/>, for a relay.</summary>
    protected async Task<Socket> ConnectAsync(int port)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, port, Stopping);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Accept(await _listener.AcceptSocketAsync(_stop.Token));
        }
    }
}
