namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>The FTP server answered a command with an error reply (4xx/5xx).</summary>
public sealed class FtpReplyException(int replyCode, string message, Exception? innerException = null)
    : IOException(message, innerException)
{
    public int ReplyCode { get; } = replyCode;

    /// <summary>5xx: the server refuses for good; 4xx: it may succeed later.</summary>
    public bool IsPermanent => ReplyCode is >= 500 and < 600;
}
