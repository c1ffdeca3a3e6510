using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Tests.Destinations.FileServer;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>
/// A real vsftpd whose data connections stop being forwarded mid-upload (the control connections pass): the stall
/// scenarios with <c>Ftp:DataTimeout</c> as the stall timeout.
/// </summary>
public sealed class FtpStallTests : FileServerStallTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    protected override int ServerPort => Server.Port;

    protected override string Home => Server.Home;

    protected override CuttingTcpProxy StallingProxy(CuttingTcpProxy.CutMode mode) =>
        CuttingTcpProxy.ForFtpData(Server.Port, cutAfterBytes: 1024 * 1024, mode);

    protected override (IExportDestination Destination, IDisposable Provider) Create(string stallTimeout) =>
        TestHost.Destination(FtpKind.Name, new Dictionary<string, string?>
        {
            ["Ftp:CommandTimeout"] = "00:00:15",
            ["Ftp:DataTimeout"] = stallTimeout,
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        });

    protected override DeliveryRequest Request(string folder, int port) => new(
        TestAccounts.DemoId,
        "job-stalled",
        new ExportFile("trends.csv", "text/csv"),
        new FtpSettings { Server = "127.0.0.1", Port = port, Username = Server.User, Path = folder },
        new FileServerSecrets { Password = Server.Password });
}
