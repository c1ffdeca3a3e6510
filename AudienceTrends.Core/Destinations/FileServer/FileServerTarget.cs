
namespace AudienceTrends.Core.Destinations.FileServer;

/// <summary>
/// What SFTP and FTP deliveries share: who logs in where, the folder (relative to the login folder), the file and
/// the temporary name it is written under before the rename, and the location recorded for the user.
/// </summary>
internal sealed record FileServerTarget(string Host, int Port, string User, IReadOnlyList<string> Folder, string FileName, string TempName)
{
    /// <summary>How messages name the destination, e.g. <c>SFTP server host:22 (user 'bob')</c>; never a secret.</summary>
    public string Where { get; private init; } = "";

    public static FileServerTarget From(DeliveryRequest delivery, FileServerSettings settings, string protocol)
    {
        var (host, user, port) = (settings.Server, settings.Username, settings.Port);
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(user))
        {
            throw new ExportFailedException(ErrorCodes.DestinationRejected, $"An {protocol} destination needs a server and a username.");
        }

        var folder = DestinationPath.FolderSegments(settings.Path);
        return new FileServerTarget(host, port, user, folder, delivery.FileName, $".{delivery.FileName}.{delivery.JobId}.part")
        {
            Where = $"{protocol} server {host}:{port} (user '{user}')",
        };
    }

    /// <summary>The login and folder a destination test checks (it names its probe files itself).</summary>
    public static FileServerTarget ForProbe(FileServerSettings settings, DestinationSecrets secrets, string protocol) =>
        From(new DeliveryRequest(default, "probe", ExportFile.For("probe"), settings, secrets), settings, protocol);

    /// <summary><c>scheme://host:port/folder/file.csv</c>, IPv6 hosts in brackets.</summary>
    public string Location(string scheme) =>
        $"{scheme}://{FileServerSettings.BracketedHost(Host)}:{Port}/{string.Join('/', Folder.Append(FileName))}";
}
