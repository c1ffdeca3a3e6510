using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// What SFTP and FTP deliveries share: who logs in where, the folder (relative to the login folder), the file and
/// the temporary name it is written under before the rename, and the location recorded for the user.
/// </summary>
internal sealed record FileServerTarget(string Host, int Port, string User, IReadOnlyList<string> Folder, string FileName, string TempName)
{
    /// <summary>How messages name the destination, e.g. <c>SFTP server host:22 (user 'bob')</c>; never a secret.</summary>
    public string Where { get; private init; } = "";

    public static FileServerTarget From(DeliveryRequest delivery, string protocol, int defaultPort)
    {
        var destination = delivery.Destination;
        var (host, user, port) = (destination.Server, destination.Username, destination.Port ?? defaultPort);
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(user))
        {
            throw new ExportFailedException(ErrorCodes.DestinationRejected, $"An {protocol} destination needs a server and a username.");
        }

        var folder = (destination.Path ?? string.Empty)
            .Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s != ".")
            .ToList();
        return new FileServerTarget(host, port, user, folder, delivery.FileName, $".{delivery.FileName}.{delivery.JobId}.part")
        {
            Where = $"{protocol} server {host}:{port} (user '{user}')",
        };
    }

    /// <summary><c>scheme://host:port/folder/file.csv</c>, IPv6 hosts in brackets.</summary>
    public string Location(string scheme)
    {
        var host = IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;
        return $"{scheme}://{host}:{Port}/{string.Join('/', Folder.Append(FileName))}";
    }
}
