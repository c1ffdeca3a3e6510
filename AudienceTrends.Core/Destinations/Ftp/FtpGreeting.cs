using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.Probe;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>
/// Whether a server's greeting is an FTP server's, checked before any credential is sent: every
/// <see cref="FtpConnection"/> checks it once, on a connection of its own, before its first login, and the destination
/// test's connect step checks it too. The rule: the greeting is a reply (three digits, then a space or, for a
/// multi-line greeting, a dash, whose last line repeats the code and a space); its code is <c>220</c>; and no line of
/// it names a mail protocol or mail server (<c>SMTP</c>, which covers <c>ESMTP</c>, <c>LMTP</c>, <c>Postfix</c>,
/// <c>Exim</c>, <c>Sendmail</c>), since SMTP greets with the same <c>220</c>. What the server said is never shown.
/// </summary>
internal static class FtpGreeting
{
    private const int MaxLines = 30;

    private static readonly string[] MailWords = ["SMTP", "LMTP", "POSTFIX", "EXIM", "SENDMAIL"];

    public enum Verdict
    {
        /// <summary>An FTP server ready for a login.</summary>
        Ftp,

        /// <summary>A reply, but not 220: the server turns the session away (or is not ready).</summary>
        TurnedAway,

        /// <summary>Not FTP's greeting (no reply code, or a mail server's 220).</summary>
        NotFtp,
    }

    /// <summary>Reads the whole greeting from <paramref name="stream"/> and judges it.</summary>
    public static async Task<Verdict> ReadAsync(Stream stream, CancellationToken cancellationToken) =>
        (await ReadReplyAsync(stream, cancellationToken)).Verdict;

    /// <summary>The greeting's verdict and its first line (for a delivery's log and transient-failure wording only).</summary>
    private static async Task<(Verdict Verdict, string FirstLine)> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var first = await ServerGreeting.ReadLineAsync(stream, cancellationToken);
        return (await JudgeAsync(stream, first, cancellationToken), first);
    }

    private static async Task<Verdict> JudgeAsync(Stream stream, string first, CancellationToken cancellationToken)
    {
        if (first.Length < 4 || !first.Take(3).All(char.IsAsciiDigit) || first[3] is not (' ' or '-'))
        {
            return Verdict.NotFtp;
        }

        var code = first[..3];
        var lines = new List<string> { first };
        var last = first;
        while (last.Length < 4 || last[3] != ' ' || !last.StartsWith(code, StringComparison.Ordinal))
        {
            if (lines.Count == MaxLines)
            {
                return Verdict.NotFtp;
            }

            last = await ServerGreeting.ReadLineAsync(stream, cancellationToken);
            lines.Add(last);
        }

        return code != "220" ? Verdict.TurnedAway
            : lines.Any(l => MailWords.Any(w => l.Contains(w, StringComparison.OrdinalIgnoreCase))) ? Verdict.NotFtp
            : Verdict.Ftp;
    }

    /// <summary>The refusal for a greeting that is not <see cref="Verdict.Ftp"/>, naming the server as <paramref name="where"/>; never quoting it.</summary>
    public static ExportFailedException Refusal(Verdict verdict, string where, int port) => verdict == Verdict.TurnedAway
        ? new ExportFailedException(ErrorCodes.DestinationRejected,
            $"The {where} turned the session away in its greeting (not ready, or not accepting connections from the service). No login was sent.")
        : new ExportFailedException(ErrorCodes.DestinationRejected,
            $"Port {port} does not speak FTP: check destination.server and destination.port. No login was sent.");

    /// <summary>
    /// Connects to <paramref name="address"/>:<paramref name="port"/>, reads the greeting and closes without sending
    /// anything; throws <see cref="Refusal"/> unless it is an FTP server's. Ends within <paramref name="timeout"/>.
    /// </summary>
    public static async Task CheckAsync(IPAddress address, int port, TimeSpan timeout, string where, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var abort = limit.Token.Register(socket.Dispose);
        Verdict verdict;
        string firstLine;
        try
        {
            await socket.ConnectAsync(address, port, limit.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            (verdict, firstLine) = await ReadReplyAsync(stream, limit.Token);
        }
        catch (Exception e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                  && e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            throw new TimeoutException($"The {where} did not greet within {timeout}.", e);
        }

        if (verdict == Verdict.TurnedAway && int.Parse(firstLine.AsSpan(0, 3), CultureInfo.InvariantCulture) is var code and >= 400 and < 500)
        {
            // "Not now" (421 busy, say): a delivery fails this attempt as with any 4xx reply, and the retry may get in.
            throw new FtpReplyException(code, firstLine);
        }

        if (verdict != Verdict.Ftp)
        {
            throw Refusal(verdict, where, port);
        }
    }
}
