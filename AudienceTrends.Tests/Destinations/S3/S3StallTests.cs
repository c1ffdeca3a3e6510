using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Tests.Infrastructure;
using static AudienceTrends.Tests.Destinations.S3.S3DestinationTests;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.S3;

/// <summary>
/// s3rver behind a proxy that stops forwarding every connection once 1 MiB went through it (both ways, connections
/// left open), so the first part of a multipart upload hangs on each of the SDK's attempts while the small requests
/// (initiate, abort) pass. The delivery must give up within <c>S3:RequestTimeout</c> per attempt or on cancellation,
/// as a retryable failure, and abort the multipart upload. <c>[CancelAfter]</c> is the hang detector.
/// </summary>
public sealed class S3StallTests
{
    private const int PartSize = S3Options.MinimumPartSizeBytes;

    [Test]
    [CancelAfter(90_000)]
    public async Task A_store_that_stops_reading_fails_the_upload_within_the_request_timeout_for_a_retry(CancellationToken testTime)
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        await using var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.Stall);
        var destination = Through(proxy, requestTimeout: TimeSpan.FromSeconds(2));

        var error = await Assert.CatchAsync(() => destination
            .DeliverAsync(Request(bucket, "folder"), GeneratedContent.OfSize((2 * PartSize) + 10).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.Not.InstanceOf<ExportFailedException>().And.Not.InstanceOf<OperationCanceledException>(),
            "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(error, Is.InstanceOf<TimeoutException>().Or.InnerException.InstanceOf<TimeoutException>());
        Assert.That(proxy.CutConnections, Is.GreaterThanOrEqualTo(1));
        Assert.That(await Keys(bucket), Is.Empty);
        Assert.That(await PendingUploads(bucket), Is.Empty, "the multipart upload was aborted");
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Cancelling_a_stalled_upload_aborts_it(CancellationToken testTime)
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        await using var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.Stall);
        using var cancellation = new CancellationTokenSource();

        var delivery = Through(proxy, requestTimeout: TimeSpan.FromMinutes(30))
            .DeliverAsync(Request(bucket, "folder"), GeneratedContent.OfSize((2 * PartSize) + 10).OpenRead(), cancellation.Token);
        await proxy.CutAsync(testTime);
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testTime.IsCancellationRequested, Is.False, "ended by the cancellation, not by the test's time running out");
        Assert.That(await Keys(bucket), Is.Empty);
        Assert.That(await PendingUploads(bucket), Is.Empty, "the multipart upload was aborted");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_store_that_stops_reading_a_large_upload_ends_the_attempt_in_time_and_leaves_no_socket(CancellationToken testTime)
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        await using var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);

        var error = await Assert.CatchAsync(() => Through(proxy, requestTimeout: TimeSpan.FromSeconds(5))
            .DeliverAsync(Request(bucket, "folder"), GeneratedContent.OfSize(24 * 1024 * 1024).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.Not.InstanceOf<ExportFailedException>().And.Not.InstanceOf<OperationCanceledException>(),
            () => "a retryable failure, not a refusal nor the test's own time running out: " + error);
        Assert.That(proxy.CutConnections, Is.GreaterThanOrEqualTo(1), () => "the store stopped reading: " + error);
        await ProcessResources.AssertNothingLeftAsync(proxy.Ports, threadsBefore: null, proxy.CutClientPorts);
        Assert.That(await Keys(bucket), Is.Empty);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Cancelling_an_upload_the_store_stopped_reading_ends_it_within_seconds_and_leaves_no_socket(CancellationToken testTime)
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        await using var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);
        using var cancellation = new CancellationTokenSource();

        var delivery = Through(proxy, requestTimeout: TimeSpan.FromMinutes(30))
            .DeliverAsync(Request(bucket, "folder"), GeneratedContent.OfSize(24 * 1024 * 1024).OpenRead(), cancellation.Token);
        await StoppedReading.AssertCancelEndsItAsync(proxy, delivery, cancellation, threadsBefore: null, stalledConnectionsOnly: true, testTime);
    }

    private static S3Destination Through(CuttingTcpProxy proxy, TimeSpan requestTimeout) => Destination(new S3Options
    {
        ServiceUrl = $"http://127.0.0.1:{proxy.Port}", ForcePathStyle = true, PartSizeBytes = PartSize, RequestTimeout = requestTimeout,
    });
}
