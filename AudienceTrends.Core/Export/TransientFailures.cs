using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AudienceTrends.Core.Destinations.Ftp;
using Azure;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Says in plain words what went wrong in an attempt a retry may fix, for the job's <c>LastError</c> and so for the
/// message a client reads once the retries run out: the cause and the destination the user named, bounded, and never
/// an exception type, an internal address or a secret. The exception itself goes to the logs.
/// </summary>
public static partial class TransientFailures
{
    /// <summary>The longest description; the final message adds a sentence around it.</summary>
    public const int MaxLength = 200;

    private const int MaxDestinationLength = 100;
    private const int MaxReplyLength = 80;

    /// <param name="failure">What the attempt threw.</param>
    /// <param name="destination">The job's destination summary (never a secret), e.g. <c>ftp://user@host:21/folder</c>.</param>
    public static string Describe(Exception failure, string? destination)
    {
        var where = ErrorText.OneLine(string.IsNullOrWhiteSpace(destination) ? "the destination" : destination, MaxDestinationLength);
        var text = Find<DbException>(failure) is not null ? "the database is unavailable"
            : Find<RequestFailedException>(failure) is not null ? "the service's storage is unavailable"
            : Find<SocketException>(failure) is { } socket ? Network(socket.SocketErrorCode, where)
            : Find<WebException>(failure) is { Status: not (WebExceptionStatus.ProtocolError or WebExceptionStatus.UnknownError) } web
                ? Network(web.Status, where)
            : Find<FtpReplyException>(failure) is { ReplyCode: >= 400 } reply ? $"{where} answered: {ErrorText.OneLine(Reply(reply), MaxReplyLength)}"
            : Find<TimeoutException>(failure) is not null || failure is OperationCanceledException ? $"{where} did not answer in time"
            : Find<HttpRequestException>(failure) is { StatusCode: { } status } ? $"{where} answered HTTP {(int)status}"
            : Find<IOException>(failure) is not null || Find<HttpRequestException>(failure) is not null
                ? $"the connection to {where} failed"
            : $"an unexpected error while exporting to {where} (the service's logs have the details)";
        return ErrorText.OneLine(text, MaxLength);
    }

    private static string Network(SocketError error, string where) => error switch
    {
        SocketError.ConnectionRefused => $"the connection to {where} was refused",
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected
            => $"the connection to {where} was reset",
        SocketError.TimedOut => $"the connection to {where} timed out",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData or SocketError.NoRecovery
            => $"the server name of {where} could not be resolved (DNS)",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown or SocketError.HostDown
            => $"{where} is unreachable from the service",
        _ => $"a network error with {where}",
    };

    private static string Network(WebExceptionStatus status, string where) => status switch
    {
        WebExceptionStatus.NameResolutionFailure => Network(SocketError.HostNotFound, where),
        WebExceptionStatus.Timeout => $"{where} did not answer in time",
        // FtpWebRequest reports a refused and an unreachable server alike, without the socket error.
        WebExceptionStatus.ConnectFailure => $"could not connect to {where}: the connection was refused or the server is unreachable",
        _ => Network(SocketError.ConnectionReset, where),
    };

    /// <summary>The server's own words after "answered ... with:", addresses in them masked.</summary>
    private static string Reply(FtpReplyException reply)
    {
        var text = reply.Message;
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return Address().Replace(colon >= 0 ? text[(colon + 2)..] : text, "(address)");
    }

    [GeneratedRegex(@"\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b")]
    private static partial Regex Address();

    private static T? Find<T>(Exception failure) where T : Exception
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } all && Find<T>(all.InnerExceptions[0]) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
