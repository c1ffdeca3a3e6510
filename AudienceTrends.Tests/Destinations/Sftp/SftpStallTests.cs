using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>
/// A real sshd behind a proxy that stops forwarding mid-upload (both ways, connections left open): the delivery must
/// give up within <c>Sftp:OperationTimeout</c> or on cancellation, as a retryable failure, and remove its temporary
/// file. <c>[CancelAfter]</c> is the hang detector: a delivery still waiting when the test's time is up fails the test.
/// </summary>
public sealed class SftpStallTests
{
    private static SshdServer Server => SshdServer.Current;

    [Test]
    [CancelAfter(60_000)]
    public async Task A_server_that_stops_reading_fails_the_upload_within_the_operation_timeout_for_a_retry(CancellationToken testTime)
    {
        var content = GeneratedContent.OfSize(16 * 1024 * 1024);
        var folder = "stalled-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Combine(Server.PasswordUserHome, folder);
        await using var proxy = new CuttingTcpProxy(Server.Port, cutAfterBytes: 1024 * 1024, mode: CutMode.Stall);
        var (destination, provider) = Create(operationTimeout: "00:00:02");
        using var _ = provider;
        var request = Request(folder, proxy.Port);

        var error = await Assert.CatchAsync(
            () => destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None).WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(error!.Message, Does.Contain("00:00:02"));
        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(TestHost.FileNames(directory), Is.Empty, "the temporary file is removed over a new connection");

        await destination.DeliverAsync(request, content.OpenRead(), testTime);

        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Cancelling_a_stalled_upload_aborts_it_and_removes_the_temporary_file(CancellationToken testTime)
    {
        var folder = "cancelled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = new CuttingTcpProxy(Server.Port, cutAfterBytes: 1024 * 1024, mode: CutMode.Stall);
        var (destination, provider) = Create(operationTimeout: "00:30:00");
        using var _ = provider;
        using var cancellation = new CancellationTokenSource();

        var delivery = destination.DeliverAsync(Request(folder, proxy.Port), GeneratedContent.OfSize(16 * 1024 * 1024).OpenRead(), cancellation.Token);
        await proxy.CutAsync(testTime);
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testTime.IsCancellationRequested, Is.False, "ended by the cancellation, not by the test's time running out");
        Assert.That(TestHost.FileNames(Path.Combine(Server.PasswordUserHome, folder)), Is.Empty);
    }

    private static (IExportDestination Destination, IDisposable Provider) Create(string operationTimeout) =>
        TestHost.Destination(SftpKind.Name, new Dictionary<string, string?>
        {
            ["Sftp:ConnectTimeout"] = "00:00:15",
            ["Sftp:OperationTimeout"] = operationTimeout,
            ["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32",
        });

    private static DeliveryRequest Request(string folder, int port) => new(
        "job-stalled",
        new ExportFile("trends.csv", "text/csv"),
        new SftpSettings { Server = "127.0.0.1", Port = port, Username = Server.PasswordUser, Path = folder },
        new FileServerSecrets { Password = Server.Password });
}
