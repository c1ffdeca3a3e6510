using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;

namespace AudienceTrends.Core.Destinations.FileServer;

/// <summary>What SFTP and FTP destinations share: the server, port, login and folder (relative to the login folder).</summary>
public abstract record FileServerSettings : DestinationSettings
{
    public required string Server { get; init; }

    public required int Port { get; init; }

    public required string Username { get; init; }

    /// <summary>The folder; null or <c>/</c> is the login folder itself.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    protected override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Type}://{Username}@{BracketedHost(Server)}:{Port}/{(Path ?? "").TrimStart('/')}");

    /// <summary>IPv6 literals in brackets, as URLs write them.</summary>
    public static string BracketedHost(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !host.StartsWith('[') ? $"[{host}]" : host;
}

/// <summary>The password of an SFTP or FTP login (SFTP may log in with a saved key instead).</summary>
public sealed record FileServerSecrets : DestinationSecrets
{
    public string? Password { get; init; }

    protected override bool HasValues => Password is not null;
}

/// <summary>The legacy row columns SFTP and FTP rows kept their shared fields in, before settings were stored as JSON.</summary>
internal static class FileServerLegacyColumns
{
    public static (string Server, int Port, string Username, string? Path) Read(IReadOnlyDictionary<string, object> row, int defaultPort) =>
    (
        row.TryGetValue("DestinationServer", out var server) ? server as string ?? "" : "",
        row.TryGetValue("DestinationPort", out var port) && port is int number ? number : defaultPort,
        row.TryGetValue("DestinationUsername", out var user) ? user as string ?? "" : "",
        row.TryGetValue("DestinationPath", out var path) ? path as string : null);
}
