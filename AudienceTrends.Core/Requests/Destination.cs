namespace AudienceTrends.Core.Requests;

/// <summary>
/// Where the file goes: every non-secret field of the request's <c>destination</c> object.
/// Safe to store in clear, log and return; the credentials live in <see cref="DestinationSecrets"/>.
/// </summary>
public sealed record Destination
{
    public required DestinationType Type { get; init; }

    /// <summary>FTP/SFTP host name or IP address.</summary>
    public string? Server { get; init; }

    /// <summary>FTP/SFTP port.</summary>
    public int? Port { get; init; }

    /// <summary>FTP/SFTP user name.</summary>
    public string? Username { get; init; }

    /// <summary>SFTP: name of a private key held by the service (never the key itself).</summary>
    public string? SavedKey { get; init; }

    /// <summary>SFTP: expected host key fingerprint, <c>SHA256:...</c>; a mismatch refuses to send.</summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>FTP: use explicit FTPS (AUTH TLS).</summary>
    public bool Secure { get; init; }

    /// <summary>S3: object key or folder prefix; FTP/SFTP/GCS: folder.</summary>
    public string? Path { get; init; }

    public string? AwsBucket { get; init; }

    public string? AwsRegion { get; init; }

    public string? GcsBucket { get; init; }

    public static Destination Managed { get; } = new() { Type = DestinationType.Aws };
}
