using AudienceTrends.Core.Accounts;
using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>
/// Checks an <c>ftp</c> destination as a delivery would use it: resolve (through the network guard), connect (that
/// the server greets as an FTP server, <see cref="FtpGreeting"/>; its words are never quoted), authenticate (log in and
/// PWD, sent only after an FTP greeting), then write, rename and delete a probe file in the export's folder through
/// the delivery's own <see cref="FtpConnection"/>, folder creation and rename. Folders the write had to create are
/// removed again. Within the command plus data timeouts.
/// </summary>
public sealed class FtpProbe(
    DestinationNetworkGuard guard, IOptions<FtpOptions> options, TimeProvider time, ILogger<FtpProbe> logger)
    : IDestinationProbe
{
    public ProbeTarget? Target(DestinationSettings settings) => new(((FtpSettings)settings).Server, ((FtpSettings)settings).Port);

    public async Task ProbeAsync(DestinationSettings settings, DestinationSecrets secrets, AccountId account, ProbeSteps steps, CancellationToken cancellationToken)
    {
        var (ftp, limits) = ((FtpSettings)settings, options.Value);
        steps.Limit(limits.CommandTimeout + limits.DataTimeout);
        var target = FileServerTarget.ForProbe(ftp, secrets, "FTP");
        var address = await DestinationTester.ReachAsync(steps, guard, target.Host, target.Port, limits.CommandTimeout,
            (stream, token) => ReadGreetingAsync(stream, target, token));

        var connection = new FtpConnection(
            address, target.Port, target.User, ((FileServerSecrets)secrets).Password ?? "", limits, time, target.Where);
        await steps.RunAsync("authenticate", limits.CommandTimeout, async token =>
        {
            if (ftp.Secure)
            {
                throw new ExportFailedException(ErrorCodes.DestinationRejected,
                    $"Explicit FTPS (secure: true) is not supported for the {target.Where}; use SFTP, or plain FTP with secure: false. No login was sent.");
            }

            try
            {
                await connection.PrintWorkingDirectoryAsync(token);
                return $"Logged in as '{target.User}'.";
            }
            catch (FtpReplyException e) when (e.ReplyCode == FtpDestination.NotLoggedIn)
            {
                throw new ExportFailedException(ErrorCodes.DestinationAuthFailed,
                    $"The {target.Where} refused the user name or password: check destination.username and destination.password.", e);
            }
        });
        await ProbeFile.RunAsync(steps, new Store(connection, target, logger), limits.DataTimeout);
    }

    private static async Task<string> ReadGreetingAsync(Stream stream, FileServerTarget target, CancellationToken cancellationToken)
    {
        var verdict = await FtpGreeting.ReadAsync(stream, cancellationToken);
        return verdict == FtpGreeting.Verdict.Ftp
            ? $"Connected to port {target.Port}; the server greets as an FTP server."
            : throw FtpGreeting.Refusal(verdict, target.Where, target.Port);
    }

    /// <summary>The probe file's folder (relative to the login folder) and the connection; one control connection per command.</summary>
    private sealed class Store(FtpConnection ftp, FileServerTarget target, ILogger logger) : IProbeFileStore
    {
        private readonly string _folder = "/" + string.Join('/', target.Folder);
        private readonly List<string> _created = [];

        public bool Renames => true;

        public async Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            try
            {
                for (var level = 1; level <= target.Folder.Count; level++)
                {
                    var folder = string.Join('/', target.Folder.Take(level));
                    if (await FtpDestination.MakeDirectoryIfMissingAsync(ftp, folder, cancellationToken))
                    {
                        _created.Add(folder);
                    }
                }

                await ftp.UploadAsync(PathOf(name), new MemoryStream(content.ToArray()), cancellationToken);
            }
            catch (FtpReplyException e) when (e.ReplyCode is FtpDestination.NeedAccountForStoring or FtpDestination.FileUnavailable or FtpDestination.FileNameNotAllowed)
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"The {target.Where} refused to store a file in the folder {_folder} (reply {e.ReplyCode}): check destination.path, and that the user may create that folder (or it exists) and write in it.", e);
            }

            return $"Wrote {name} in {_folder}" + (_created.Count > 0 ? $", creating {string.Join(", ", _created.Select(f => "/" + f))} as an export would (removed again afterwards)." : ".");
        }

        public async Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken)
        {
            try
            {
                await FtpDestination.ReplaceAsync(ftp, PathOf(name), newName, PathOf(newName), cancellationToken);
            }
            catch (FtpReplyException e) when (e.IsPermanent)
            {
                throw new ExportFailedException(ErrorCodes.DestinationPermissionDenied,
                    $"The {target.Where} refused renaming a file in {_folder}, which every export does (reply {e.ReplyCode}).", e);
            }

            return $"Renamed it to {newName}, as an export renames its temporary file.";
        }

        public async Task<string> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            await ftp.DeleteFileAsync(PathOf(name), cancellationToken);
            return $"Deleted {name}.";
        }

        public async Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            try
            {
                foreach (var name in names)
                {
                    try
                    {
                        await ftp.DeleteFileAsync(PathOf(name), cancellationToken);
                    }
                    catch (FtpReplyException e) when (e.ReplyCode == FtpDestination.FileUnavailable)
                    {
                        // Never written, or already gone.
                    }
                }

                foreach (var folder in Enumerable.Reverse(_created))
                {
                    await ftp.RemoveDirectoryAsync(folder, cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or WebException or SocketException or TimeoutException or OperationCanceledException)
            {
                logger.LogWarning(e, "Could not remove the destination test's probe file or folders in {Folder}", _folder);
            }
        }

        private string PathOf(string name) => string.Join('/', target.Folder.Append(name));
    }
}
