using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

/// <summary>
/// The connection step of an HTTP handler whose hosts the network guard checks: connects to the one address the
/// guard approved, never to the name again, so a second DNS answer cannot slip past the check.
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
}
