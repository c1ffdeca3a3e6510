using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.NetworkGuard;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>
/// Delivers over plain FTP (passive, binary): STOR to <c>.&lt;file&gt;.&lt;jobId&gt;.part</c> in the target folder,
/// then RNFR/RNTO to the file name, so nobody sees a partial file. The folder (request <c>path</c>) is relative to
/// the login folder; <c>/</c> or none is the login folder itself. Explicit FTPS is refused for now.
/// </summary>
public sealed class FtpDestination(
    DestinationNetworkGuard guard,
    IOptions<FtpOptions> options,
    TimeProvider time,
    ILogger<FtpDestination> logger) : ExportDestination<FtpSettings, FileServerSecrets>
{
    public const int DefaultPort = 21;

    internal const int NotLoggedIn = 530;
    internal const int NeedAccountForStoring = 532;
    internal const int FileUnavailable = 550;
    internal const int FileNameNotAllowed = 553;


    protected override async Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, FtpSettings destination, FileServerSecrets secrets, Stream content, CancellationToken cancellationToken)
    {
        var target = FileServerTarget.From(delivery, destination, "FTP");
        var (host, port, user, where) = (target.Host, target.Port, target.User, target.Where);
        if (destination.Secure)
        {
            // FtpWebRequest's FTPS is unreliable (large uploads fail under TLS 1.3, certificate checks are only
            // reachable process-wide), so the service refuses rather than risk a half-working secure channel.
            throw new ExportFailedException(
                ErrorCodes.DestinationRejected,
                $"Explicit FTPS (secure: true) is not supported for the {where}; use SFTP, or plain FTP with secure: false.");
        }

        var address = await guard.ResolveAsync(host, port, cancellationToken, user);
        var ftp = new FtpConnection(address, port, user, secrets.Password ?? string.Empty, options.Value, time, where);

        var folder = target.Folder;
        var finalPath = string.Join('/', folder.Append(target.FileName));
        var tempPath = string.Join('/', folder.Append(target.TempName));
        var location = target.Location("ftp");

        try
        {
            for (var level = 1; level <= folder.Count; level++)
            {
                await MakeDirectoryIfMissingAsync(ftp, string.Join('/', folder.Take(level)), cancellationToken);
            }

            try
            {
                await ftp.UploadAsync(tempPath, content, cancellationToken);
                await ReplaceAsync(ftp, tempPath, delivery.FileName, finalPath, cancellationToken);
            }
            catch (Exception e) when (e is not FtpReplyException { ReplyCode: NotLoggedIn })
            {
                await DeleteQuietlyAsync(ftp, tempPath);
                throw;
            }
        }
        catch (FtpReplyException e) when (e.ReplyCode == NotLoggedIn)
        {
            throw new ExportFailedException(ErrorCodes.DestinationAuthFailed, $"The {where} refused the login.", e);
        }
        catch (FtpReplyException e) when (e.ReplyCode is NeedAccountForStoring or FileUnavailable or FileNameNotAllowed)
        {
            throw new ExportFailedException(
                ErrorCodes.DestinationPermissionDenied,
                $"The {where} refused to store /{finalPath}: {e.Message}",
                e);
        }

        logger.LogInformation("Delivered {Location}", location);
        return new DeliveryResult(location);
    }

    /// <summary>MKD one level; 550 usually means it exists already, and a real refusal shows up at STOR. True when it created the folder.</summary>
    internal static async Task<bool> MakeDirectoryIfMissingAsync(FtpConnection ftp, string path, CancellationToken cancellationToken)
    {
        try
        {
            await ftp.MakeDirectoryAsync(path, cancellationToken);
            return true;
        }
        catch (FtpReplyException e) when (e.ReplyCode == FileUnavailable)
        {
            return false;
        }
    }

    /// <summary>Most servers (vsftpd, ProFTPD) replace on RNTO; for those that refuse, remove the old file and retry.</summary>
    internal static async Task ReplaceAsync(
        FtpConnection ftp, string tempPath, string fileName, string finalPath, CancellationToken cancellationToken)
    {
        try
        {
            await ftp.RenameAsync(tempPath, fileName, cancellationToken);
        }
        catch (FtpReplyException e) when (e.ReplyCode is FileUnavailable or FileNameNotAllowed)
        {
            await ftp.DeleteFileAsync(finalPath, cancellationToken);
            await ftp.RenameAsync(tempPath, fileName, cancellationToken);
        }
    }

    private async Task DeleteQuietlyAsync(FtpConnection ftp, string tempPath)
    {
        try
        {
            await ftp.DeleteFileAsync(tempPath, CancellationToken.None);
        }
        catch (FtpReplyException e) when (e.ReplyCode == FileUnavailable)
        {
            // Never created.
        }
        catch (Exception e) when (e is IOException or WebException or SocketException or TimeoutException)
        {
            logger.LogWarning(e, "Could not remove the temporary file {TempPath}", tempPath);
        }
    }
}
