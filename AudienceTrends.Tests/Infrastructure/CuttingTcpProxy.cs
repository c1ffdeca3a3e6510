using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy to a local server that breaks the first <c>connectionsToCut</c> connections once the client
/// has sent <c>cutAfterBytes</c> bytes through them: <see cref="CutMode.Reset"/> resets them, as a network failure
/// mid-upload would; <see cref="CutMode.Stall"/> stops reading and writing in both directions but keeps both sockets
/// open until the proxy is disposed, as a server or network path that stops answering would; <see cref="CutMode.StopReading"/>
/// stops reading the client only (with a small receive buffer, so the client's sends block soon), as a server that
/// stops reading an upload but keeps its connection open would. Later connections pass
/// untouched, so a cleanup or a retry can get through; given <c>laterTargetPort</c>, they go to that server instead
/// (a man in the middle who cuts a connection and answers the reconnect himself).
/// </summary>
public sealed partial class CuttingTcpProxy : LoopbackTcpProxy
{
    private readonly int _targetPort;
    private readonly int _laterTargetPort;
    private readonly long _cutAfterBytes;
    private readonly CutMode _mode;
    private readonly bool _ftpPassive;
    private readonly List<CuttingTcpProxy> _dataProxies = [];
    private readonly List<int> _cutClientPorts = [];
    private int _connectionsToCut;
    private int _cut;

    public CuttingTcpProxy(
        int targetPort, long cutAfterBytes, int connectionsToCut = 1, CutMode mode = CutMode.Reset, int? laterTargetPort = null)
        : this(targetPort, cutAfterBytes, connectionsToCut, mode, ftpPassive: false, laterTargetPort)
    {
    }

    private CuttingTcpProxy(int targetPort, long cutAfterBytes, int connectionsToCut, CutMode mode, bool ftpPassive, int? laterTargetPort = null)
    {
        (_targetPort, _cutAfterBytes, _connectionsToCut, _mode, _ftpPassive) = (targetPort, cutAfterBytes, connectionsToCut, mode, ftpPassive);
        _laterTargetPort = laterTargetPort ?? targetPort;
        Start();
    }

    public enum CutMode
    {
        /// <summary>Reset both connections: each end sees the connection die mid-stream.</summary>
        Reset,

        /// <summary>Stop forwarding either way and keep both connections open: each end waits for the other.</summary>
        Stall,

        /// <summary>Stop reading what the client sends, keep passing the server's answers and keep both connections open.</summary>
        StopReading,
    }

    /// <summary>The client-side ports of the connections cut (or stalled) so far, data connections included.</summary>
    public IReadOnlyList<int> CutClientPorts
    {
        get
        {
            lock (_dataProxies)
            {
                lock (_cutClientPorts)
                {
                    return [.. _cutClientPorts, .. _dataProxies.SelectMany(p => p.CutClientPorts)];
                }
            }
        }
    }

    /// <summary>The ports clients connect to: this proxy's and those of the FTP data proxies it started.</summary>
    public IReadOnlyList<int> Ports
    {
        get
        {
            lock (_dataProxies)
            {
                return [Port, .. _dataProxies.SelectMany(p => p.Ports)];
            }
        }
    }

    /// <summary>How many connections the proxy has cut (or stalled) so far, data connections included.</summary>
    public int CutConnections
    {
        get
        {
            lock (_dataProxies)
            {
                return Volatile.Read(ref _cut) + _dataProxies.Sum(p => p.CutConnections);
            }
        }
    }

    /// <summary>
    /// A proxy for an FTP server's control port that passes control connections untouched and sends every passive
    /// data connection (PASV replies are rewritten to point at a data proxy) through a proxy that cuts it once the
    /// client has sent <paramref name="cutAfterBytes"/> bytes. Assumes each 227 reply arrives in one read, as vsftpd
    /// sends it.
    /// </summary>
    public static CuttingTcpProxy ForFtpData(int controlPort, long cutAfterBytes, CutMode mode) =>
        new(controlPort, cutAfterBytes, connectionsToCut: 0, mode, ftpPassive: true);

    /// <summary>Completes once a connection (or a data connection) has been cut or stalled.</summary>
    public async Task CutAsync(CancellationToken cancellationToken)
    {
        while (CutConnections == 0)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    protected override async ValueTask DisposeRelaysAsync()
    {
        CuttingTcpProxy[] data;
        lock (_dataProxies)
        {
            data = [.. _dataProxies];
        }

        foreach (var proxy in data)
        {
            await proxy.DisposeAsync();
        }
    }

    protected override void Accept(Socket client)
    {
        // A connection is cut once it has carried cutAfterBytes, while cuts remain, so one that never does (another
        // test's connection to a reused port, a short request of the client's) uses none up. Only where the cut also
        // picks the target (laterTargetPort) is it decided here, at accept.
        bool? cut = _laterTargetPort == _targetPort ? null : Interlocked.Decrement(ref _connectionsToCut) >= 0;
        if (cut != false && _mode == CutMode.StopReading)
        {
            // A small window: the client's sends block once a little more than its own send buffer is queued.
            client.ReceiveBufferSize = 16 * 1024;
        }

        _ = RelayAsync(client, cut);
    }

    private async Task RelayAsync(Socket client, bool? cut)
    {
        using var _ = client;
        try
        {
            using var server = await ConnectAsync(cut == false ? _laterTargetPort : _targetPort);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
            var upstream = PumpAsync(client, server, cut == false ? long.MaxValue : _cutAfterBytes,
                cut is null ? () => Interlocked.Decrement(ref _connectionsToCut) >= 0 : null, rewrite: null, done.Token);
            var downstream = PumpAsync(server, client, long.MaxValue, takeCut: null, _ftpPassive ? RedirectPassiveReply : null, done.Token);
            if (await upstream)
            {
                lock (_cutClientPorts)
                {
                    _cutClientPorts.Add(((System.Net.IPEndPoint)client.RemoteEndPoint!).Port);
                }

                Interlocked.Increment(ref _cut);
                if (_mode == CutMode.StopReading)
                {
                    // The server's answers still pass; nobody reads the client any more until the proxy is disposed.
                    await Task.Delay(Timeout.Infinite, Stopping);
                }

                await done.CancelAsync();
                if (_mode == CutMode.Stall)
                {
                    // Nobody reads or writes any more; the sockets stay open until the proxy is disposed.
                    await Task.Delay(Timeout.Infinite, Stopping);
                }

                // Reset, not a polite close: both ends see the connection die mid-stream.
                client.LingerState = new LingerOption(true, 0);
                server.LingerState = new LingerOption(true, 0);
                return;
            }

            await downstream;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Copies until end of stream; true when it stopped because <paramref name="limit"/> bytes went through. On reaching
    /// the limit it asks <paramref name="takeCut"/> (when given) whether to stop: if not, the connection goes on whole.
    /// </summary>
    private static async Task<bool> PumpAsync(
        Socket from, Socket to, long limit, Func<bool>? takeCut, Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? rewrite,
        CancellationToken cancellationToken)
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

                if (limit != long.MaxValue && total + read >= limit && takeCut?.Invoke() == false)
                {
                    limit = long.MaxValue;
                }

                var allowed = (int)Math.Min(read, limit - total);
                var chunk = buffer.AsMemory(0, allowed);
                await to.SendAsync(rewrite is null ? chunk : rewrite(chunk), cancellationToken);
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

    /// <summary>Points a <c>227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)</c> reply at a new cutting data proxy.</summary>
    private ReadOnlyMemory<byte> RedirectPassiveReply(ReadOnlyMemory<byte> chunk)
    {
        var text = Encoding.ASCII.GetString(chunk.Span);
        var match = PassiveReply().Match(text);
        if (!match.Success)
        {
            return chunk;
        }

        var target = (int.Parse(match.Groups["high"].Value) * 256) + int.Parse(match.Groups["low"].Value);
        var data = new CuttingTcpProxy(target, _cutAfterBytes, int.MaxValue, _mode, ftpPassive: false);
        lock (_dataProxies)
        {
            _dataProxies.Add(data);
        }

        var redirected = $"({match.Groups["host"].Value},{data.Port / 256},{data.Port % 256})";
        return Encoding.ASCII.GetBytes(text[..match.Index] + redirected + text[(match.Index + match.Length)..]);
    }

    [GeneratedRegex(@"(?<=227 [^\r\n]*)\((?<host>\d+,\d+,\d+,\d+),(?<high>\d+),(?<low>\d+)\)")]
    private static partial Regex PassiveReply();
}
