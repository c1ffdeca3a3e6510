using AudienceTrends.Core.Accounts;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.NetworkGuard;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>
/// Delivers over SFTP: uploads to <c>.&lt;file&gt;.&lt;jobId&gt;.part</c> in the target folder and renames it to the
/// file name once complete, so nobody sees a partial file. The folder (request <c>path</c>) is taken relative to the
/// login folder; <c>/</c> or none is the login folder itself.
/// </summary>
public sealed class SftpDestination(
    DestinationNetworkGuard guard,
    ISavedKeyStore savedKeys,
    IOptions<SftpOptions> options,
    TimeProvider time,
    ILogger<SftpDestination> logger) : ExportDestination<SftpSettings, FileServerSecrets>
{
    public const int DefaultPort = 22;


    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, SftpSettings destination, FileServerSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var target = FileServerTarget.From(delivery, destination, "SFTP");
        var (host, port, user, where) = (target.Host, target.Port, target.User, target.Where);
        var authentication = await AuthenticationAsync(delivery.Account, destination, secrets, where, cancellationToken);
        var address = await guard.ResolveAsync(host, port, cancellationToken, user);

        var settings = options.Value;
        var login = new SftpLogin(
            address.ToString(), port, user, authentication, where, destination.HostKeyFingerprint, settings);
        var client = await login.ConnectAsync(cancellationToken);
        using var lifetime = new ClientLifetime(client);

        var folderSegments = target.Folder;
        var folder = Combine(client.WorkingDirectory, folderSegments);
        var finalPath = $"{folder}/{target.FileName}";
        var tempPath = $"{folder}/{target.TempName}";
        var location = target.Location("sftp");

        // SSH.NET's waits for the server ignore the token and OperationTimeout once the server stops reading, and so
        // does its Dispose (it sends a goodbye behind the stuck send): only closing the socket itself ends them.
        using var watchdog = new TransferWatchdog(settings.OperationTimeout, time, $"The {where}", lifetime.Abandon, cancellationToken);
        watchdog.Own(SshSocket.Of(client));
        try
        {
            await watchdog.GuardAsync(EnsureFolderAsync(client, client.WorkingDirectory, folderSegments, watchdog.Token));
            await watchdog.GuardAsync(client.UploadFileAsync(
                watchdog.Watch(content), tempPath, canOverride: true, new Progress<UploadFileProgressReport>(_ => watchdog.Progress()), watchdog.Token));
            await watchdog.GuardAsync(ReplaceAsync(client, tempPath, finalPath, watchdog.Token));
        }
        catch (Exception e)
        {
            // An aborted client is closed: the clean-up goes over a new connection.
            await DeleteQuietlyAsync(watchdog.Aborted ? null : client, login, tempPath);
            if (e is SftpPermissionDeniedException)
            {
                throw new ExportFailedException(
                    ErrorCodes.DestinationPermissionDenied,
                    $"The {where} denied permission to write {finalPath}.",
                    e);
            }

            throw;
        }

        logger.LogInformation("Delivered {Location} (host key {HostKeyFingerprint})", location, login.ObservedHostKey);
        return new DeliveryResult(location)
        {
            Details = login.ObservedHostKey is { } observed
                ? new Dictionary<string, string> { [SftpKind.ObservedHostKeyDetail] = observed }
                : new Dictionary<string, string>(),
        };
    }

    internal async Task<SftpAuthentication> AuthenticationAsync(
        AccountId account, SftpSettings destination, FileServerSecrets secrets, string where, CancellationToken cancellationToken)
    {
        var user = destination.Username;
        if (!string.IsNullOrEmpty(destination.SavedKey))
        {
            // The intake checks this too; a job stored before a key's hosts were narrowed must not log in elsewhere.
            var key = (await savedKeys.CheckAsync(account, destination.SavedKey, destination.Server, cancellationToken) == SavedKeyUse.Allowed
                    ? await savedKeys.FindAsync(account, destination.SavedKey, cancellationToken)
                    : null)
                ?? throw new ExportFailedException(
                    ErrorCodes.SavedKeyNotFound,
                    $"The service holds no key named '{destination.SavedKey}' for the {where}.");
            return new([new PrivateKeyAuthenticationMethod(user, key)], $"the saved key '{destination.SavedKey}'");
        }

        if (secrets.Password is { } password)
        {
            // Servers that delegate passwords to PAM often offer only keyboard-interactive.
            var interactive = new KeyboardInteractiveAuthenticationMethod(user);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = password;
                }
            };
            return new([new PasswordAuthenticationMethod(user, password), interactive], "a password");
        }

        throw new ExportFailedException(
            ErrorCodes.DestinationAuthFailed, $"No password or savedKey was given for the {where}.");
    }

    internal static string Combine(string root, IEnumerable<string> segments) =>
        segments.Aggregate(root.TrimEnd('/'), (current, segment) => $"{current}/{segment}");

    /// <summary>Creates each missing folder level in turn; a level another job just created is fine. Returns the levels it created.</summary>
    internal static async Task<IReadOnlyList<string>> EnsureFolderAsync(
        SftpClient client, string root, IReadOnlyList<string> segments, CancellationToken cancellationToken)
    {
        var current = root.TrimEnd('/');
        var created = new List<string>();
        foreach (var segment in segments)
        {
            current = $"{current}/{segment}";
            if (await client.ExistsAsync(current, cancellationToken))
            {
                continue;
            }

            try
            {
                await client.CreateDirectoryAsync(current, cancellationToken);
                created.Add(current);
            }
            catch (SshException)
            {
                // Fine when another job created it meanwhile.
                if (!await client.ExistsAsync(current, cancellationToken))
                {
                    throw;
                }
            }
        }

        return created;
    }

    /// <summary>
    /// Renames over an existing file. posix-rename@openssh.com replaces atomically; plain SFTP v3 rename refuses an
    /// existing target, so without the extension the old file is removed first.
    /// </summary>
    internal static async Task ReplaceAsync(SftpClient client, string tempPath, string finalPath, CancellationToken cancellationToken)
    {
        try
        {
            client.RenameFile(tempPath, finalPath, isPosix: true);
            return;
        }
        catch (NotSupportedException)
        {
            // The server does not offer the extension.
        }

        if (await client.ExistsAsync(finalPath, cancellationToken))
        {
            await client.DeleteFileAsync(finalPath, cancellationToken);
        }

        await client.RenameFileAsync(tempPath, finalPath, cancellationToken);
    }

    /// <summary>
    /// Best effort: removes the temporary file, over a new connection when the old one is gone (a dropped
    /// connection leaves it behind otherwise). A leftover is overwritten by the job's retry, which uses the same name.
    /// The reconnect goes through the same <see cref="SftpLogin"/>, pinned to the first connection's host key: a
    /// different key fails the job for good (nothing is sent to that server, and no retry logs in to it).
    /// </summary>
    private async Task DeleteQuietlyAsync(SftpClient? client, SftpLogin login, string tempPath)
    {
        using var timeout = new CancellationTokenSource(options.Value.ConnectTimeout);
        try
        {
            if (client is { IsConnected: true })
            {
                await DeleteIfExistsAsync(client, tempPath, timeout.Token);
                return;
            }

            using var cleanup = await login.ConnectAsync(timeout.Token);
            await DeleteIfExistsAsync(cleanup, tempPath, timeout.Token);
        }
        catch (ExportFailedException e) when (e.Code == ErrorCodes.DestinationAuthFailed)
        {
            logger.LogWarning(e, "Could not remove the temporary file {TempPath}", tempPath);
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or OperationCanceledException
                                      or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            logger.LogWarning(e, "Could not remove the temporary file {TempPath}", tempPath);
        }
    }

    private static async Task DeleteIfExistsAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        if (await client.ExistsAsync(path, cancellationToken))
        {
            await client.DeleteFileAsync(path, cancellationToken);
        }
    }

    /// <summary>
    /// Disposes the client when the delivery ends or, once abandoned (stalled or cancelled), in the background after
    /// the watchdog closed its socket: its Dispose sends a goodbye, which would otherwise block for as long as a send
    /// stuck on a server that stopped reading does.
    /// </summary>
    private sealed class ClientLifetime(SftpClient client) : IDisposable
    {
        private int _ended;

        public void Abandon()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _ = Task.Run(client.Dispose);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                client.Dispose();
            }
        }
    }
}
