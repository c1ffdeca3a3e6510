using System.Diagnostics;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Tests.Infrastructure;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.FileServer;

/// <summary>
/// What every file-server destination (SFTP, FTP) must do when its real server stops answering mid-upload (a proxy
/// stops forwarding both ways and leaves the connections open): give up within the kind's stall timeout as a
/// retryable failure, or on cancellation, and remove its temporary file. <c>[CancelAfter]</c> is the hang detector:
/// a delivery still waiting when the test's time is up fails the test. A server that only stops reading (its answers
/// still pass) an upload far larger than every buffer on the way must leave nothing behind either: once the attempt
/// ends, the process holds no socket to it and no extra thread (<see cref="ProcessResources"/>).
/// </summary>
public abstract class FileServerStallTests
{
    protected abstract int ServerPort { get; }

    /// <summary>
    /// Whether the kind's client runs a thread of its own per session (SSH.NET's reader), so the tests also check no
    /// thread is left; such a fixture runs alone, since the count is the whole process's. FTP's client has none.
    /// </summary>
    protected virtual bool CountsThreads => false;

    /// <summary>The password user's login folder on disk.</summary>
    protected abstract string Home { get; }

    /// <summary>Larger than the socket buffers, the protocol's windows and the proxy's buffer together.</summary>
    protected const int SeveralMegabytes = 24 * 1024 * 1024;

    /// <summary>A proxy in front of the server that stalls the upload once 1 MiB of it went through.</summary>
    protected abstract CuttingTcpProxy StallingProxy(CutMode mode);

    /// <summary>A delivery of <c>trends.csv</c> into the password user's <paramref name="folder"/> on 127.0.0.1:<paramref name="port"/>.</summary>
    protected abstract DeliveryRequest Request(string folder, int port);

    /// <summary>The destination as the app registers it, waiting <paramref name="stallTimeout"/> on a stalled transfer.</summary>
    protected abstract (IExportDestination Destination, IDisposable Provider) Create(string stallTimeout);

    [Test]
    [CancelAfter(60_000)]
    public async Task A_server_that_stops_reading_fails_the_upload_within_the_stall_timeout_for_a_retry(CancellationToken testTime)
    {
        var content = GeneratedContent.OfSize(16 * 1024 * 1024);
        var folder = "stalled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = StallingProxy(CutMode.Stall);
        var (destination, provider) = Create(stallTimeout: "00:00:02");
        using var _ = provider;

        var error = await Assert.CatchAsync(
            () => destination.DeliverAsync(Request(folder, proxy.Port), content.OpenRead(), CancellationToken.None).WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(error!.Message, Does.Contain("00:00:02"));
        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(TestHost.FileNames(Path.Combine(Home, folder)), Is.Empty, "the temporary file is removed");

        await destination.DeliverAsync(Request(folder, ServerPort), content.OpenRead(), testTime);

        Assert.That(TestHost.Sha256Of(Path.Combine(Home, folder, "trends.csv")), Is.EqualTo(content.Sha256), "the retry delivers");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Cancelling_a_stalled_upload_aborts_it_and_removes_the_temporary_file(CancellationToken testTime)
    {
        var folder = "cancelled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = StallingProxy(CutMode.Stall);
        var (destination, provider) = Create(stallTimeout: "00:30:00");
        using var _ = provider;
        using var cancellation = new CancellationTokenSource();

        var delivery = destination.DeliverAsync(Request(folder, proxy.Port), GeneratedContent.OfSize(16 * 1024 * 1024).OpenRead(), cancellation.Token);
        await proxy.CutAsync(testTime);
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testTime.IsCancellationRequested, Is.False, "ended by the cancellation, not by the test's time running out");
        Assert.That(TestHost.FileNames(Path.Combine(Home, folder)), Is.Empty);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_server_that_stops_reading_a_large_upload_ends_the_attempt_in_time_and_leaves_no_socket_or_thread(
        CancellationToken testTime)
    {
        int? threadsBefore = CountsThreads ? await ProcessResources.SteadyThreadCountAsync() : null;
        var folder = "unread-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = StallingProxy(CutMode.StopReading);
        var (destination, provider) = Create(stallTimeout: "00:00:02");
        using var _ = provider;
        var started = Stopwatch.GetTimestamp();

        var error = await Assert.CatchAsync(() => destination
            .DeliverAsync(Request(folder, proxy.Port), GeneratedContent.OfSize(SeveralMegabytes).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(Stopwatch.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(60)),
            "the 2 s stall timeout plus the clean-up, with a wide margin for a loaded machine");
        Assert.That(proxy.CutConnections, Is.GreaterThanOrEqualTo(1));
        await ProcessResources.AssertNothingLeftAsync(proxy.Ports, threadsBefore);
        Assert.That(TestHost.FileNames(Path.Combine(Home, folder)), Is.Empty, "the temporary file is removed");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Cancelling_an_upload_the_server_stopped_reading_ends_it_within_seconds_and_leaves_no_socket_or_thread(
        CancellationToken testTime)
    {
        int? threadsBefore = CountsThreads ? await ProcessResources.SteadyThreadCountAsync() : null;
        var folder = "unread-cancelled-" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = StallingProxy(CutMode.StopReading);
        var (destination, provider) = Create(stallTimeout: "00:30:00");
        using var _ = provider;
        using var cancellation = new CancellationTokenSource();

        var delivery = destination.DeliverAsync(
            Request(folder, proxy.Port), GeneratedContent.OfSize(SeveralMegabytes).OpenRead(), cancellation.Token);
        await StoppedReading.AssertCancelEndsItAsync(proxy, delivery, cancellation, threadsBefore, stalledConnectionsOnly: false, testTime);
    }
}
