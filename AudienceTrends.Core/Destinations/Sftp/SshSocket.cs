using System.Net.Sockets;
using System.Reflection;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>
/// The socket under a connected SSH.NET client. SSH.NET neither accepts a socket from its caller nor shows the one it
/// connects, and none of its own ways to end a session works once the server stops reading: its disconnect sends a
/// goodbye under the write lock a blocked send holds, so the session, its socket and its listener thread stay alive.
/// Closing the socket itself is what ends them (<see cref="TransferWatchdog.Own"/>). The lookup is checked at every
/// connection: an SSH.NET version without these members fails every SFTP delivery and its tests, never silently.
/// </summary>
internal static class SshSocket
{
    private static readonly PropertyInfo? SessionProperty =
        typeof(BaseClient).GetProperty("Session", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly FieldInfo? SocketField =
        typeof(BaseClient).Assembly.GetType("Renci.SshNet.Session")?.GetField("_socket", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>The connected socket of <paramref name="client"/>.</summary>
    public static Socket Of(BaseClient client) =>
        SessionProperty?.GetValue(client) is { } session && SocketField?.GetValue(session) is Socket socket
            ? socket
            : throw new InvalidOperationException(
                "The SSH.NET in use does not expose its connected socket as the version the service was built for did; " +
                "a stalled SFTP upload could not be stopped, so none is started.");
}
