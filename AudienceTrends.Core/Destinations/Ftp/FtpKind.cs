using AudienceTrends.Core.Destinations.FileServer;

namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>Destination type <c>ftp</c>: server, port, username, password, folder and the <c>secure</c> flag.</summary>
public sealed class FtpKind : DestinationKind<FtpSettings, FileServerSecrets>, IReadsLegacyRows
{
    public const string Name = "ftp";

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields)
    {
        var (server, port, username) = FileServerFields.ReadLogin(fields);
        var path = DestinationPath.Read(fields);
        var secure = fields.Boolean("secure") ?? false;
        var password = fields.String(FileServerFields.Password, required: true);
        if (fields.HasProblems)
        {
            return null;
        }

        return new DestinationInput(
            new FtpSettings { Server = server!, Port = port!.Value, Username = username!, Path = path, Secure = secure },
            new FileServerSecrets { Password = password });
    }

    public LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row)
    {
        var (server, port, username, path) = FileServerLegacyColumns.Read(row, FtpDestination.DefaultPort);
        return new LegacyDestination(new FtpSettings
        {
            Server = server,
            Port = port,
            Username = username,
            Path = path,
            Secure = row.TryGetValue("DestinationSecure", out var secure) && secure is true,
        });
    }
}
