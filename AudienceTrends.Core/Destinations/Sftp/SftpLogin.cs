using Renci.SshNet;
using Renci.SshNet.Common;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>
/// The one place the service opens SSH connections: every connection of a delivery (the upload's and the clean-up's
/// reconnect) logs in the same way and checks the host key the same way. The first connection's key pins every later
/// one: the request's <c>hostKeyFingerprint</c> when given, else the key the first connection saw, so a man in the
/// middle who cuts a connection never receives the login on the reconnect.
/// </summary>
internal sealed class SftpLogin(
    string address, int port, string user, SftpAuthentication authentication, string where, string? expectedHostKey, SftpOptions options)
{
    private string? _pinned = expectedHostKey;

    /// <summary>The host key the first connection saw, <c>SHA256:...</c>; null before any connection.</summary>
    public string? ObservedHostKey { get; private set; }

    /// <summary>A connected, logged-in client; a refused login or host key is an <see cref="ExportFailedException"/>.</summary>
    public async Task<SftpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var connectionInfo = new ConnectionInfo(address, port, user, authentication.Methods) { Timeout = options.ConnectTimeout };
        var client = new SftpClient(connectionInfo) { OperationTimeout = options.OperationTimeout };
        var hostKey = new HostKeyCheck(_pinned);
        client.HostKeyReceived += (_, e) => hostKey.Check(e);
        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (SshAuthenticationException e)
        {
            ObservedHostKey ??= hostKey.Observed; // accepted: the refusal came after the key exchange
            client.Dispose();
            throw new ExportFailedException(
                ErrorCodes.DestinationAuthFailed, $"The {where} refused the login with {authentication.Description}.", e);
        }
        catch (SshConnectionException e) when (hostKey.Mismatch)
        {
            client.Dispose();
            var expected = ObservedHostKey is null ? "the expected" : "the first connection's";
            throw new ExportFailedException(
                ErrorCodes.HostKeyMismatch,
                $"The {where} presented host key {hostKey.Observed}, not {expected} {_pinned}; no login was sent.",
                e);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        ObservedHostKey ??= hostKey.Observed;
        _pinned ??= hostKey.Observed;
        return client;
    }

    /// <summary>Records the host key and refuses it when it is not the expected one.</summary>
    private sealed class HostKeyCheck(string? expected)
    {
        public string? Observed { get; private set; }

        public bool Mismatch { get; private set; }

        public void Check(HostKeyEventArgs e)
        {
            Observed = "SHA256:" + e.FingerPrintSHA256;
            if (expected is not null && !Matches(expected, e.FingerPrintSHA256))
            {
                Mismatch = true;
                e.CanTrust = false;
            }
        }

        private static bool Matches(string expected, string observedBase64)
        {
            var value = expected.Trim();
            if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
            {
                value = value["SHA256:".Length..];
            }

            return string.Equals(value.TrimEnd('='), observedBase64.TrimEnd('='), StringComparison.Ordinal);
        }
    }
}

/// <summary>How a delivery logs in, and how messages name that (never the secret itself).</summary>
internal sealed record SftpAuthentication(AuthenticationMethod[] Methods, string Description);
