using System.Net.Sockets;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>
/// Checks an <c>sftp</c> destination as a delivery would use it: resolve, network guard, connect (the server's SSH
/// version line), host key (the fingerprint seen; a pinned one must match), authenticate, then write, rename and
/// delete a probe file in the export's folder, through the delivery's own <see cref="SftpLogin"/>, folder creation and
/// rename. Folders the write had to create are removed again. Within the connect plus operation timeouts. SSH.NET
/// exchanges keys and logs in in one call, so the host key step's time includes the login's, and the authenticate
/// step reports how that login ended.
/// </summary>
public sealed class SftpProbe(
    SftpDestination destination, DestinationNetworkGuard guard, IHostResolver resolver, IOptions<SftpOptions> options, ILogger<SftpProbe> logger)
    : IDestinationProbe
{

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var (sftp, limits) = ((SftpSettings)settings, options.Value);
        steps.Limit(limits.ConnectTimeout + limits.OperationTimeout);
        var target = FileServerTarget.ForProbe(sftp, secrets, "SFTP");
        var address = await DestinationTester.ReachAsync(steps, resolver, guard, target.Host, target.Port, limits.ConnectTimeout,
            target.User, (stream, token) => ReadVersionAsync(stream, target.Port, token));
        Task<SftpClient>? connecting = null;
        try
        {
            var (login, refusal) = await steps.RunAsync("host key", limits.ConnectTimeout, async token =>
            {
                var authentication = await destination.AuthenticationAsync(sftp, (FileServerSecrets)secrets, target.Where, token);
                var login = new SftpLogin(address.ToString(), target.Port, target.User, authentication, target.Where, sftp.HostKeyFingerprint, limits);
                connecting = login.ConnectAsync(token);
                ExportFailedException? refusal = null;
                try
                {
                    await connecting;
                }
                catch (ExportFailedException e) when (e.Code == ErrorCodes.DestinationAuthFailed && login.ObservedHostKey is not null)
                {
                    refusal = e;
                }

                return ((login, refusal), $"The server presented host key {login.ObservedHostKey}" + (sftp.HostKeyFingerprint is null
                    ? "; set destination.hostKeyFingerprint to it so that no other key is ever accepted."
                    : ", the one destination.hostKeyFingerprint expects."));
            });
            await steps.RunAsync("authenticate", () => refusal is null
                ? Task.FromResult($"Logged in as '{target.User}'.")
                : throw new ExportFailedException(ErrorCodes.DestinationAuthFailed, sftp.SavedKey is null
                    ? $"The {target.Where} refused the user name or password: check destination.username and destination.password."
                    : $"The {target.Where} refused the user name or the saved key '{sftp.SavedKey}': check destination.username, and that the server accepts that key for the user.",
                    refusal));

            var client = await connecting!;
            var root = client.WorkingDirectory;
            await ProbeFile.RunAsync(steps, new Store(client, login, target, root, logger), limits.OperationTimeout);
        }
        finally
        {
            // Also a login a timed-out step abandoned, once it finishes.
            _ = connecting?.ContinueWith(
                t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    private static async Task<string> ReadVersionAsync(Stream stream, int port, CancellationToken cancellationToken)
    {
        var line = await ServerGreeting.ReadLineAsync(stream, cancellationToken);
        return line.StartsWith("SSH-", StringComparison.Ordinal)
            ? $"Connected to port {port}; the server identifies itself as {line}."
            : throw new ExportFailedException(
                ErrorCodes.DestinationRejected, $"Port {port} answered \"{line}\", which is not an SSH server's version line: check destination.port.");
    }

    /// <summary>The probe file's folder and client; a client a timed-out step abandoned is closed, and the clean-up logs in again.</summary>
    private sealed class Store(SftpClient client, SftpLogin login, FileServerTarget target, string root, ILogger logger) : IProbeFileStore
    {
        private readonly string _folder = SftpDestination.Combine(root, target.Folder);
        private IReadOnlyList<string> _created = [];
        private int _abandoned;

        public bool Renames => true;

        public async Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            using var abandon = cancellationToken.Register(Abandon);
            try
            {
                _created = await SftpDestination.EnsureFolderAsync(client, root, target.Folder, cancellationToken);
                await client.UploadFileAsync(new MemoryStream(content.ToArray()), $"{_folder}/{name}", cancellationToken);
            }
            catch (SftpPermissionDeniedException e)
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"The {target.Where} denied permission to create or write in the folder {_folder}: check destination.path, and that the user may create that folder (or it exists) and write in it.", e);
            }
            catch (SftpPathNotFoundException e)
            {
                throw new ExportFailedException(ErrorCodes.DestinationNotFound,
                    $"The folder {_folder} does not exist on the {target.Where} and could not be created: check destination.path.", e);
            }

            return $"Wrote {name} in {_folder}" + (_created.Count > 0 ? $", creating {string.Join(", ", _created)} as an export would (removed again afterwards)." : ".");
        }

        public async Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken)
        {
            using var abandon = cancellationToken.Register(Abandon);
            try
            {
                await SftpDestination.ReplaceAsync(client, $"{_folder}/{name}", $"{_folder}/{newName}", cancellationToken);
            }
            catch (SftpPermissionDeniedException e)
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"The {target.Where} denied renaming a file in {_folder}, which every export does: check the user's rights there.", e);
            }

            return $"Renamed it to {newName}, as an export renames its temporary file.";
        }

        public async Task<string> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            using var abandon = cancellationToken.Register(Abandon);
            await client.DeleteFileAsync($"{_folder}/{name}", cancellationToken);
            return $"Deleted {name}.";
        }

        public async Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            if (names.Count == 0 && _created.Count == 0)
            {
                return;
            }

            SftpClient? reconnected = null;
            try
            {
                var current = Volatile.Read(ref _abandoned) == 0 ? client : reconnected = await login.ConnectAsync(cancellationToken);
                foreach (var name in names)
                {
                    if (await current.ExistsAsync($"{_folder}/{name}", cancellationToken).WaitAsync(cancellationToken))
                    {
                        await current.DeleteFileAsync($"{_folder}/{name}", cancellationToken).WaitAsync(cancellationToken);
                    }
                }

                foreach (var folder in _created.Reverse())
                {
                    await current.DeleteDirectoryAsync(folder, cancellationToken).WaitAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is SshException or SocketException or IOException or OperationCanceledException
                                          or TimeoutException or InvalidOperationException or ObjectDisposedException or ExportFailedException)
            {
                logger.LogWarning(e, "Could not remove the destination test's probe file or folders in {Folder}", _folder);
            }
            finally
            {
                reconnected?.Dispose();
            }
        }

        /// <summary>A step timed out or was cancelled: SSH.NET's waits end only when the client is closed.</summary>
        private void Abandon()
        {
            if (Interlocked.Exchange(ref _abandoned, 1) == 0)
            {
                _ = Task.Run(client.Dispose);
            }
        }
    }
}
