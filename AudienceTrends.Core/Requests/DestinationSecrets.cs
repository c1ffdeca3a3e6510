namespace AudienceTrends.Core.Requests;

/// <summary>
/// The request's credentials. Kept apart from <see cref="Destination"/> so that nothing which stores, logs or
/// returns a destination can reach them; stored only encrypted (see <c>Jobs/SecretProtector</c>).
/// </summary>
public sealed record DestinationSecrets
{
    public static DestinationSecrets None { get; } = new();

    /// <summary>FTP/SFTP password.</summary>
    public string? Password { get; init; }

    public string? AwsAccessKeyId { get; init; }

    public string? AwsSecretAccessKey { get; init; }

    public bool IsEmpty => Password is null && AwsAccessKeyId is null && AwsSecretAccessKey is null;

    /// <summary>Never prints a value, so an accidental log line or exception message leaks nothing.</summary>
    public override string ToString() => IsEmpty ? "DestinationSecrets { }" : "DestinationSecrets { *** }";
}
