// FtpWebRequest is obsolete (SYSLIB0014) but it is the only FTP client available here (FluentFTP is not in the
// package registry). It is confined to this one class so it can be replaced in one place.
#pragma warning disable SYSLIB0014

using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>
/// FTP commands against one server address, passive and binary, one control connection per command.
/// Paths are relative to the login folder, segments joined with <c>/</c>. PASV replies are safe to follow:
/// FtpWebRequest takes only the port from them and connects the data channel to the control connection's address.
/// </summary>
/// <param name="where">The server as messages name it: "FTP server 10.0.0.5:21 (user x)".</param>
internal sealed class FtpConnection(
    IPAddress address, int port, string user, string password, FtpOptions options, TimeProvider time, string where)
{
    private bool _greetingChecked;

    public Task MakeDirectoryAsync(string path, CancellationToken cancellationToken) =>
        CommandAsync(WebRequestMethods.Ftp.MakeDirectory, path, renameTo: null, cancellationToken);

    public Task DeleteFileAsync(string path, CancellationToken cancellationToken) =>
        CommandAsync(WebRequestMethods.Ftp.DeleteFile, path, renameTo: null, cancellationToken);

    public Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken) =>
        CommandAsync(WebRequestMethods.Ftp.RemoveDirectory, path, renameTo: null, cancellationToken);

    /// <summary>Logs in and asks PWD: the server's reply, naming the login folder.</summary>
    public Task<string> PrintWorkingDirectoryAsync(CancellationToken cancellationToken) =>
        CommandAsync(WebRequestMethods.Ftp.PrintWorkingDirectory, "", renameTo: null, cancellationToken);

    /// <summary>RNFR <paramref name="path"/>, RNTO <paramref name="newName"/> in the same folder.</summary>
    public Task RenameAsync(string path, string newName, CancellationToken cancellationToken) =>
        CommandAsync(WebRequestMethods.Ftp.Rename, path, newName, cancellationToken);

    /// <summary>STOR <paramref name="path"/>, copying <paramref name="content"/> as it is read.</summary>
    public async Task UploadAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        await CheckGreetingAsync(cancellationToken);
        var request = Create(WebRequestMethods.Ftp.UploadFile, path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CommandTimeout);
        using var abort = timeout.Token.Register(request.Abort);
        try
        {
            var stream = await request.GetRequestStreamAsync();

            // The whole transfer has no time limit, only a stall has: FtpWebRequest's asynchronous writes ignore
            // ReadWriteTimeout and the token once the server stops reading, so the watchdog aborts the request.
            timeout.CancelAfter(Timeout.Infinite);
            using (var watchdog = new TransferWatchdog(options.DataTimeout, time, $"The {where}", request.Abort, cancellationToken))
            {
                try
                {
                    await watchdog.GuardAsync(watchdog.Watch(content).CopyToAsync(stream, 64 * 1024, watchdog.Token));
                }
                catch
                {
                    // Abort rather than close: a close would tell the server the (partial) file is complete.
                    request.Abort();
                    throw;
                }
            }

            await stream.DisposeAsync();
            timeout.CancelAfter(options.CommandTimeout);
            using var response = await request.GetResponseAsync();
        }
        catch (WebException e)
        {
            var translated = Translate(e, "STOR", timeout, cancellationToken);
            if (ReferenceEquals(translated, e))
            {
                throw;
            }

            throw translated;
        }
    }

    /// <summary>
    /// FtpWebRequest sends USER and PASS as soon as anything answers with 220, a mail server included: so before the
    /// first login, once per connection object, the greeting is checked on a connection of its own (<see cref="FtpGreeting"/>).
    /// </summary>
    private async Task CheckGreetingAsync(CancellationToken cancellationToken)
    {
        if (!_greetingChecked)
        {
            await FtpGreeting.CheckAsync(address, port, options.CommandTimeout, where, cancellationToken);
            _greetingChecked = true;
        }
    }

    private async Task<string> CommandAsync(string method, string path, string? renameTo, CancellationToken cancellationToken)
    {
        await CheckGreetingAsync(cancellationToken);
        var request = Create(method, path);
        if (renameTo is not null)
        {
            request.RenameTo = renameTo;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CommandTimeout);
        using var abort = timeout.Token.Register(request.Abort);
        try
        {
            using var response = (FtpWebResponse)await request.GetResponseAsync();
            return response.StatusDescription?.Trim() ?? "";
        }
        catch (WebException e)
        {
            var translated = Translate(e, method, timeout, cancellationToken);
            if (ReferenceEquals(translated, e))
            {
                throw;
            }

            throw translated;
        }
    }

    private FtpWebRequest Create(string method, string path)
    {
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var request = (FtpWebRequest)WebRequest.Create(new Uri($"ftp://{host}:{port}/{escaped}"));
        request.Method = method;
        request.Credentials = new NetworkCredential(user, password);
        request.Proxy = null;
        request.UsePassive = true;
        request.UseBinary = true;
        request.KeepAlive = false;
        request.EnableSsl = false;
        request.Timeout = (int)options.CommandTimeout.TotalMilliseconds;
        request.ReadWriteTimeout = (int)options.DataTimeout.TotalMilliseconds;
        return request;
    }

    private Exception Translate(WebException e, string command, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(cancellationToken);
        }

        if (e.Response is FtpWebResponse response)
        {
            using (response)
            {
                return new FtpReplyException(
                    (int)response.StatusCode,
                    $"The FTP server answered {command} with: {response.StatusDescription?.Trim()}",
                    e);
            }
        }

        if (timeout.IsCancellationRequested || e.Status == WebExceptionStatus.Timeout)
        {
            return new TimeoutException($"The FTP server did not answer {command} within {options.CommandTimeout}.", e);
        }

        return e;
    }
}
