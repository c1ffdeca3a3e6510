using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>
/// How the service opens and abandons destination connections. <see cref="ConnectCallback"/> is the connection step
/// of an HTTP handler whose hosts the network guard checks: it connects to the one address the guard approved, never
/// to the name again, so a second DNS answer cannot slip past the check. <see cref="Abort"/> ends a connection at once.
/// </summary>
public static class GuardedSocket
{
    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> connecting to what <paramref name="resolve"/> approved.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(
        Func<SocketsHttpConnectionContext, CancellationToken, Task<IPAddress>> resolve) =>
        async (context, cancellationToken) =>
        {
            var address = await resolve(context, cancellationToken);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

    /// <summary>
    /// Ends <paramref name="socket"/> at once, whatever is pending on it: a shutdown, which fails a send blocked on a
    /// peer that stopped reading (its window closed) and a receive waiting for it, then an abortive close (a reset:
    /// the bytes still queued are dropped, the connection does not linger). Safe from any thread, at any time, more
    /// than once; it takes no lock of the client that uses the socket.
    /// </summary>
    public static void Abort(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected any more, or closed already: the close below still releases it.
        }

        try
        {
            socket.Close(timeout: 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }
    }
}
