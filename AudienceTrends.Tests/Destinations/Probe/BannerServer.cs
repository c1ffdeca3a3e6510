using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// A hostile or foreign peer on a loopback port: it greets each connection with the next of its banners (the last one
/// repeats), as Redis, SMTP or a server that changes its answer would, then records whatever the client sends until
/// the client closes or the server is disposed.
/// </summary>
public sealed class BannerServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string[] _banners;
    private readonly List<Socket> _accepted = [];
    private readonly List<Task> _sessions = [];
    private readonly StringBuilder _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public BannerServer(params string[] banners)
    {
        _banners = banners;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Everything every client sent, as Latin-1 text.</summary>
    public string Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        Task[] all;
        lock (_accepted)
        {
            all = [_accepting, .. _sessions];
        }

        try
        {
            await Task.WhenAll(all);
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
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            var index = Interlocked.Increment(ref _connections) - 1;
            lock (_accepted)
            {
                _accepted.Add(socket);
                _sessions.Add(ServeAsync(socket, _banners[Math.Min(index, _banners.Length - 1)]));
            }
        }
    }

    private async Task ServeAsync(Socket socket, string banner)
    {
        try
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(banner), _stop.Token);
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                lock (_received)
                {
                    _received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
