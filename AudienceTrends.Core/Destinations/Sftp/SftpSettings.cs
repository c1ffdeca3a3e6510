using System.Text.Json.Serialization;
using AudienceTrends.Core.Destinations.FileServer;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>An SFTP destination: the shared file-server fields, a saved key's name, the expected host key.</summary>
public sealed record SftpSettings : FileServerSettings
{
    protected override string KindName => SftpKind.Name;

    /// <summary>The name of a private key held by the service (never the key itself); else the login uses the password.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SavedKey { get; init; }

    /// <summary>The expected host key fingerprint, <c>SHA256:...</c>; a mismatch refuses to send.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostKeyFingerprint { get; init; }
}
