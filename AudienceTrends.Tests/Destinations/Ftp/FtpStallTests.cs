using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>
/// A real vsftpd whose data connections stop being forwarded mid-upload (both ways, connections left open); the
/// control connections pass. The delivery must give up within <c>Ftp:DataTimeout</c> or on cancellation, as a
/// retryable failure, and remove its temporary file. <c>[CancelAfter]</c> is the hang detector.
/// </summary>
public sealed class FtpStallTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    [Test]
    [CancelAfter(60_000)]
    public async Task A_data_connection_that_stops_reading_fails_the_upload_within_the_data_timeout_for_a_retry(CancellationToken testTime)
    {
        var folder = "stalled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = ForFtpData(Server.Port, cutAfterBytes: 1024 * 1024, CutMode.Stall);
        var (destination, provider) = Create(dataTimeout: "00:00:02");
        using var _ = provider;

        var error = await Assert.CatchAsync(() => destination
            .DeliverAsync(Request(folder, proxy.Port), GeneratedContent.OfSize(16 * 1024 * 1024).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(error!.Message, Does.Contain("00:00:02"));
        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(TestHost.FileNames(Path.Combine(Server.Home, folder)), Is.Empty, "the temporary file is deleted");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Cancelling_a_stalled_upload_aborts_it_and_removes_the_temporary_file(CancellationToken testTime)
    {
        var folder = "cancelled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = ForFtpData(Server.Port, cutAfterBytes: 1024 * 1024, CutMode.Stall);
        var (destination, provider) = Create(dataTimeout: "00:30:00");
        using var _ = provider;
        using var cancellation = new CancellationTokenSource();

        var delivery = destination.DeliverAsync(Request(folder, proxy.Port), GeneratedContent.OfSize(16 * 1024 * 1024).OpenRead(), cancellation.Token);
        await proxy.CutAsync(testTime);
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testTime.IsCancellationRequested, Is.False, "ended by the cancellation, not by the test's time running out");
        Assert.That(TestHost.FileNames(Path.Combine(Server.Home, folder)), Is.Empty);
    }

    private static (IExportDestination Destination, IDisposable Provider) Create(string dataTimeout) =>
        TestHost.Destination(FtpKind.Name, new Dictionary<string, string?>
        {
            ["Ftp:CommandTimeout"] = "00:00:15",
            ["Ftp:DataTimeout"] = dataTimeout,
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        });

    private static DeliveryRequest Request(string folder, int port) => new(
        "job-stalled",
        new ExportFile("trends.csv", "text/csv"),
        new FtpSettings { Server = "127.0.0.1", Port = port, Username = Server.User, Path = folder },
        new FileServerSecrets { Password = Server.Password });
}
