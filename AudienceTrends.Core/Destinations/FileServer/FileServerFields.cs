using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace AudienceTrends.Core.Destinations.FileServer;

/// <summary>Reads and checks the request fields SFTP and FTP share: server, port, username and password.</summary>
public static class FileServerFields
{
    public const string Password = "password";

    private const int MaxServerLength = 253;
    private const int MaxUsernameLength = 256;
    private static readonly SearchValues<char> HostLabelChars = SearchValues.Create(FieldRules.Letters + FieldRules.Digits + "-_");

    public static (string? Server, int? Port, string? Username) ReadLogin(JsonFields fields) =>
    (
        fields.String("server", required: true, ServerProblem),
        fields.Port("port"),
        fields.String("username", required: true, UsernameProblem));

    private static string? ServerProblem(string server)
    {
        if (server.Length > MaxServerLength)
        {
            return $"must be at most {MaxServerLength} characters long.";
        }

        if (server.Contains("://", StringComparison.Ordinal))
        {
            return "must be a host name or IP address without a scheme: leave out \"sftp://\" or \"ftp://\".";
        }

        if (server.Contains('/'))
        {
            return "must be a host name or IP address without a path: put the folder in destination.path.";
        }

        if (server.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "must not contain spaces or control characters.";
        }

        if (IsHostName(server) || IsIPv6Literal(server))
        {
            return null;
        }

        return server.Contains(':')
            ? "must not include a port: put it in destination.port."
            : "must be a host name (such as sftp.example.com) or an IP address.";
    }

    // IPv4 literals pass as host names; labels allow '_' because internal DNS names use it.
    private static bool IsHostName(string server) =>
        server.Split('.').All(label => label.Length is >= 1 and <= 63 && !label.AsSpan().ContainsAnyExcept(HostLabelChars));

    private static bool IsIPv6Literal(string server)
    {
        var inner = server.StartsWith('[') && server.EndsWith(']') ? server[1..^1] : server;
        // IPAddress.TryParse accepts "[::1]:22" and drops the port; a port belongs in destination.port.
        return inner.Contains(':') && !inner.Contains('[') && !inner.Contains(']')
            && IPAddress.TryParse(inner, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static string? UsernameProblem(string username) =>
        username.Length > MaxUsernameLength ? $"must be at most {MaxUsernameLength} characters long." : null;
}
