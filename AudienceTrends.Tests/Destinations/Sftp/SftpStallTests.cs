using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Tests.Destinations.FileServer;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>
/// A real sshd behind a proxy that stops forwarding mid-upload: the stall scenarios with <c>Sftp:OperationTimeout</c>
/// as the stall timeout. The proxy stalls the first connection only, so the clean-up's new connection gets through.
/// </summary>
public sealed class SftpStallTests : FileServerStallTests
{
    private static SshdServer Server => SshdServer.Current;

    protected override int ServerPort => Server.Port;

    protected override string Home => Server.PasswordUserHome;

    protected override CuttingTcpProxy StallingProxy() =>
        new(Server.Port, cutAfterBytes: 1024 * 1024, mode: CuttingTcpProxy.CutMode.Stall);

    protected override (IExportDestination Destination, IDisposable Provider) Create(string stallTimeout) =>
        TestHost.Destination(SftpKind.Name, new Dictionary<string, string?>
        {
            ["Sftp:ConnectTimeout"] = "00:00:15",
            ["Sftp:OperationTimeout"] = stallTimeout,
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        });

    protected override DeliveryRequest Request(string folder, int port) => new(
        "job-stalled",
        new ExportFile("trends.csv", "text/csv"),
        new SftpSettings { Server = "127.0.0.1", Port = port, Username = Server.PasswordUser, Path = folder },
        new FileServerSecrets { Password = Server.Password });
}
