namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// What the service tells about a saved SFTP key: its name, public half, fingerprint, the hosts it may log in to and
/// where it comes from. Never the private key, so it is safe to return, store in clear and log.
/// </summary>
public sealed record SftpKey
{
    public required string Name { get; init; }

    /// <summary>One OpenSSH <c>authorized_keys</c> line; null for a settings key whose text could not be read.</summary>
    public required string? PublicKey { get; init; }

    public required string? Fingerprint { get; init; }

    /// <summary>The hosts the key may log in to, normalised as <see cref="SftpOptions.NormalizeHost"/> does.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    /// <summary>When the API created it; null for keys from the settings.</summary>
    public DateTimeOffset? Created { get; init; }

    public required SftpKeySource Source { get; init; }

    /// <summary>Keys from the settings are managed by the operators, not through the API.</summary>
    public bool ReadOnly => Source == SftpKeySource.Settings;

    public bool MayLogInTo(string host) => Hosts.Contains(SftpOptions.NormalizeHost(host), StringComparer.Ordinal);
}

public enum SftpKeySource
{
    /// <summary>Created through <c>POST /v2/sftpkeys</c>; the private key is in the configured store.</summary>
    Api,

    /// <summary>From <c>Sftp:SavedKeys:&lt;name&gt;</c>; read-only.</summary>
    Settings,
}
