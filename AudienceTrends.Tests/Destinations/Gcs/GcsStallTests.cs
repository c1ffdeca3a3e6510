using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.Gcs;

/// <summary>
/// The GCS stand-in behind a proxy that stops forwarding every connection once 1 MiB went through it (both ways,
/// connections left open), so each attempt at the first chunk hangs. The delivery must give up within
/// <c>Gcs:RequestTimeout</c> per attempt or on cancellation, as a retryable failure, leaving no object.
/// <c>[CancelAfter]</c> is the hang detector.
/// </summary>
public sealed class GcsStallTests
{
    private GcsEmulator _emulator = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _emulator = await GcsEmulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _emulator.DisposeAsync();

    [Test]
    [CancelAfter(90_000)]
    public async Task A_store_that_stops_reading_fails_the_upload_within_the_request_timeout_for_a_retry(CancellationToken testTime)
    {
        var bucket = _emulator.AddBucket();
        await using var proxy = new CuttingTcpProxy(new Uri(_emulator.Root).Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.Stall);

        var error = await Assert.CatchAsync(() => Through(proxy, TimeSpan.FromSeconds(2))
            .DeliverAsync(Request(bucket), GeneratedContent.OfSize(3 * 1024 * 1024).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(error!.Message, Does.Contain("00:00:02").And.Contain(bucket));
        Assert.That(proxy.CutConnections, Is.GreaterThanOrEqualTo(1));
        Assert.That(_emulator.Objects.Keys, Has.None.StartsWith(bucket + "/"));
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Cancelling_a_stalled_upload_aborts_it(CancellationToken testTime)
    {
        var bucket = _emulator.AddBucket();
        await using var proxy = new CuttingTcpProxy(new Uri(_emulator.Root).Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.Stall);
        using var cancellation = new CancellationTokenSource();

        var delivery = Through(proxy, TimeSpan.FromMinutes(30))
            .DeliverAsync(Request(bucket), GeneratedContent.OfSize(3 * 1024 * 1024).OpenRead(), cancellation.Token);
        await proxy.CutAsync(testTime);
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testTime.IsCancellationRequested, Is.False, "ended by the cancellation, not by the test's time running out");
        Assert.That(_emulator.Objects.Keys, Has.None.StartsWith(bucket + "/"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_store_that_stops_reading_a_large_upload_ends_the_attempt_in_time_and_leaves_no_socket(CancellationToken testTime)
    {
        var bucket = _emulator.AddBucket();
        await using var proxy = new CuttingTcpProxy(new Uri(_emulator.Root).Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);

        var error = await Assert.CatchAsync(() => Through(proxy, TimeSpan.FromSeconds(2))
            .DeliverAsync(Request(bucket), GeneratedContent.OfSize(24 * 1024 * 1024).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.InstanceOf<TimeoutException>(), "a retryable failure, not a refusal nor the test's own time running out");
        await ProcessResources.AssertNothingLeftAsync(proxy.Ports, threadsBefore: null, proxy.CutClientPorts);
        Assert.That(_emulator.Objects.Keys, Has.None.StartsWith(bucket + "/"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Cancelling_an_upload_the_store_stopped_reading_ends_it_within_seconds_and_leaves_no_socket(CancellationToken testTime)
    {
        var bucket = _emulator.AddBucket();
        await using var proxy = new CuttingTcpProxy(new Uri(_emulator.Root).Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);
        using var cancellation = new CancellationTokenSource();

        var delivery = Through(proxy, TimeSpan.FromMinutes(30))
            .DeliverAsync(Request(bucket), GeneratedContent.OfSize(24 * 1024 * 1024).OpenRead(), cancellation.Token);
        await StoppedReading.AssertCancelEndsItAsync(proxy, delivery, cancellation, threadsBefore: null, stalledConnectionsOnly: true, testTime);
    }

    private static GcsDestination Through(CuttingTcpProxy proxy, TimeSpan requestTimeout) => new(
        Options.Create(new GcsOptions
        {
            BaseUri = $"http://127.0.0.1:{proxy.Port}/storage/v1/", UnauthenticatedAccess = true, RequestTimeout = requestTimeout,
        }),
        NullLogger<GcsDestination>.Instance);

    private static DeliveryRequest Request(string bucket) =>
        new(TestAccounts.DemoId, "job-" + Guid.NewGuid().ToString("N"), ExportFile.For("export"), new GcsSettings { Bucket = bucket, Path = "f" }, NoSecrets.Instance);
}
