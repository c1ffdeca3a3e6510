using AudienceTrends.Core.Accounts;
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
/// Checks an <c>sftp</c> destination as a delivery would use it: resolve (through the network guard), connect (that
/// the port speaks SSH; the server's own words are never quoted), host key (the fingerprint seen; a pinned one must match), authenticate, then write, rename and
/// delete a probe file in the export's folder, through the delivery's own <see cref="SftpLogin"/>, folder creation and
/// rename. Folders the write had to create are removed again; a step that fails or times out abandons its connection,
/// and the clean-up logs in again. Within the connect plus operation timeouts. SSH.NET
/// exchanges keys and logs in in one call, so the host key step's time includes the login's, and the authenticate
/// step reports how that login ended.
/// </summary>
public sealed class SftpProbe(
    SftpDestination destination, DestinationNetworkGuard guard, IOptions<SftpOptions> options, ILogger<SftpProbe> logger)
    : IDestinationProbe
{
    public ProbeTarget? Target(DestinationSettings settings) => new(((SftpSettings)settings).Server, ((SftpSettings)settings).Port);

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var (sftp, limits) = ((SftpSettings)settings, options.Value);
        steps.Limit(limits.ConnectTimeout + limits.OperationTimeout);
        var target = FileServerTarget.ForProbe(sftp, secrets, "SFTP");
        var address = await DestinationTester.ReachAsync(steps, guard, target.Host, target.Port, limits.ConnectTimeout,
            (stream, token) => ReadVersionAsync(stream, target.Port, token));
        Task<SftpClient>? connecting = null;
        try
        {
            var (login, refusal) = await steps.RunAsync("host key", limits.ConnectTimeout, async token =>
            {
                var authentication = await destination.AuthenticationAsync(account, sftp, (FileServerSecrets)secrets, target.Where, token);
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
        // Only whether the line is SSH's is said: quoting it would hand out any banner-first service's first line.
        return line.StartsWith("SSH-2.0-", StringComparison.Ordinal) || line.StartsWith("SSH-1.99-", StringComparison.Ordinal)
            ? $"Connected to port {port}; the server speaks SSH."
            : throw new ExportFailedException(
                ErrorCodes.DestinationRejected, $"Port {port} does not speak SSH: check destination.port.");
    }

    /// <summary>The probe file's folder and client; a client a timed-out step abandoned is closed, and the clean-up logs in again.</summary>
    private sealed class Store(SftpClient client, SftpLogin login, FileServerTarget target, string root, ILogger logger) : IProbeFileStore
    {
        private readonly string _folder = SftpDestination.Combine(root, target.Folder);
        private IReadOnlyList<string> _created = [];
        private int _abandoned;

        public bool Renames => true;

        public Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            AbandonOnFailureAsync(() => WriteCoreAsync(name, content, cancellationToken), cancellationToken);

        public Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken) =>
            AbandonOnFailureAsync(() => RenameCoreAsync(name, newName, cancellationToken), cancellationToken);

        public Task<string> DeleteAsync(string name, CancellationToken cancellationToken) =>
            AbandonOnFailureAsync(async () =>
            {
                await client.DeleteFileAsync($"{_folder}/{name}", cancellationToken);
                return $"Deleted {name}.";
            }, cancellationToken);

        private async Task<string> WriteCoreAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
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

        private async Task<string> RenameCoreAsync(string name, string newName, CancellationToken cancellationToken)
        {
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

        /// <summary>
        /// A step that fails, times out or is cancelled leaves the session in an unknown state (a request may still be
        /// queued behind a stalled one), so it is closed and the clean-up logs in again.
        /// </summary>
        private async Task<string> AbandonOnFailureAsync(Func<Task<string>> step, CancellationToken cancellationToken)
        {
            using var abandon = cancellationToken.Register(Abandon);
            try
            {
                return await step();
            }
            catch
            {
                Abandon();
                throw;
            }
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
                // Names are left only when a step failed: its connection is abandoned here too, as the token's
                // callback that abandons it may not have run yet when the clean-up starts.
                if (names.Count > 0)
                {
                    Abandon();
                }

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
