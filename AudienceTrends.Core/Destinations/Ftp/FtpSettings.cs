using System.Text.Json.Serialization;
using AudienceTrends.Core.Destinations.FileServer;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>An FTP destination: the shared file-server fields and whether explicit FTPS was asked for.</summary>
public sealed record FtpSettings : FileServerSettings
{
    protected override string KindName => FtpKind.Name;

    /// <summary>Explicit FTPS (AUTH TLS); refused at delivery for now.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Secure { get; init; }

    protected override string Describe() => Secure ? base.Describe() + " (secure)" : base.Describe();
}
