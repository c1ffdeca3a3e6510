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
// Alone: its tests count the process's threads, which the fixtures running beside it would change.
[NonParallelizable]
public sealed class SftpStallTests : FileServerStallTests
{
    private static SshdServer Server => SshdServer.Current;

    protected override int ServerPort => Server.Port;

    protected override bool CountsThreads => true;

    protected override string Home => Server.PasswordUserHome;

    protected override CuttingTcpProxy StallingProxy(CuttingTcpProxy.CutMode mode) =>
        new(Server.Port, cutAfterBytes: 1024 * 1024, mode: mode);

    protected override (IExportDestination Destination, IDisposable Provider) Create(string stallTimeout) =>
        TestHost.Destination(SftpKind.Name, new Dictionary<string, string?>
        {
            ["Sftp:ConnectTimeout"] = "00:00:15",
            ["Sftp:OperationTimeout"] = stallTimeout,
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        });

    [Test]
    [CancelAfter(300_000)]
    public async Task Five_attempts_in_a_row_against_a_server_that_stops_reading_leave_no_socket_or_thread(CancellationToken testTime)
    {
        var threadsBefore = await ProcessResources.SteadyThreadCountAsync();
        var (destination, provider) = Create(stallTimeout: "00:00:02");
        using var _ = provider;
        var proxies = new List<CuttingTcpProxy>();
        try
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                // Each attempt its own server that stops reading; all of them keep their connections open to the end.
                var proxy = StallingProxy(CuttingTcpProxy.CutMode.StopReading);
                proxies.Add(proxy);
                var error = await Assert.CatchAsync(() => destination
                    .DeliverAsync(Request("unread-five", proxy.Port), GeneratedContent.OfSize(SeveralMegabytes).OpenRead(), CancellationToken.None)
                    .WaitAsync(testTime));
                Assert.That(error, Is.InstanceOf<TimeoutException>(), $"attempt {attempt + 1}");
            }

            await ProcessResources.AssertNothingLeftAsync(proxies.SelectMany(p => p.Ports), threadsBefore);
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    protected override DeliveryRequest Request(string folder, int port) => new(
        TestAccounts.DemoId,
        "job-stalled",
        new ExportFile("trends.csv", "text/csv"),
        new SftpSettings { Server = "127.0.0.1", Port = port, Username = Server.PasswordUser, Path = folder },
        new FileServerSecrets { Password = Server.Password });
}
