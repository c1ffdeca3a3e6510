using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.AzureBlob;
using AudienceTrends.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static AudienceTrends.Tests.Destinations.AzureBlob.AzureBlobDestinationTests;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Destinations.AzureBlob;

/// <summary>
/// Azurite behind a proxy that stops reading every connection once 1 MiB went through it (its answers still pass,
/// connections left open), with an upload far larger than the buffers on the way and blocks larger than 1 MiB (so
/// every attempt at a block stalls). The delivery must give up within
/// <c>AzureBlob:RequestTimeout</c> per attempt or on cancellation, and keep no socket to the store nor any extra
/// thread. <c>[CancelAfter]</c> is the hang detector.
/// </summary>
public sealed class AzureBlobStallTests
{
    private const int SeveralMegabytes = 24 * 1024 * 1024;

    private BlobServiceClient _service = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _service = new BlobServiceClient((await Azurite.InstanceAsync()).ConnectionString);

    [Test]
    [CancelAfter(120_000)]
    public async Task A_store_that_stops_reading_a_large_upload_ends_the_attempt_in_time_and_leaves_no_socket(CancellationToken testTime)
    {
        var container = await NewContainerAsync(_service);
        await using var proxy = new CuttingTcpProxy(container.Uri.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);
        // 5 s (as the S3 test): on a busy machine 2 s ended the request before 1 MiB had reached the proxy.
        using var destination = Through(TimeSpan.FromSeconds(5));

        var error = await Assert.CatchAsync(() => destination
            .DeliverAsync(Request(container, proxy), GeneratedContent.OfSize(SeveralMegabytes).OpenRead(), CancellationToken.None)
            .WaitAsync(testTime));

        Assert.That(error, Is.Not.InstanceOf<ExportFailedException>().And.Not.InstanceOf<OperationCanceledException>(),
            "a retryable failure, not a refusal nor the test's own time running out");
        Assert.That(proxy.CutConnections, Is.GreaterThanOrEqualTo(1));
        await ProcessResources.AssertNothingLeftAsync(proxy.Ports, threadsBefore: null, proxy.CutClientPorts);
        Assert.That(await BlobsIn(container), Is.Empty);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Cancelling_an_upload_the_store_stopped_reading_ends_it_within_seconds_and_leaves_no_socket(CancellationToken testTime)
    {
        var container = await NewContainerAsync(_service);
        await using var proxy = new CuttingTcpProxy(container.Uri.Port, cutAfterBytes: 1024 * 1024, int.MaxValue, CutMode.StopReading);
        using var destination = Through(TimeSpan.FromMinutes(30));
        using var cancellation = new CancellationTokenSource();

        var delivery = destination.DeliverAsync(Request(container, proxy), GeneratedContent.OfSize(SeveralMegabytes).OpenRead(), cancellation.Token);
        await StoppedReading.AssertCancelEndsItAsync(proxy, delivery, cancellation, threadsBefore: null, stalledConnectionsOnly: true, testTime);
        Assert.That(await BlobsIn(container), Is.Empty);
    }

    private static AzureBlobDestination Through(TimeSpan requestTimeout) => new(
        Options.Create(new AzureBlobOptions { BlockSizeBytes = 4 * 1024 * 1024, MaxRetries = 1, RequestTimeout = requestTimeout }),
        new AzureBlobHosts(Guard(["127.0.0.1/32"])),
        NullLogger<AzureBlobDestination>.Instance);

    private static DeliveryRequest Request(BlobContainerClient container, CuttingTcpProxy proxy) => new(
        TestAccounts.DemoId,
        "job-" + Guid.NewGuid().ToString("N"),
        ExportFile.For("export"),
        new AzureBlobSettings { ContainerUrl = new UriBuilder(container.Uri) { Port = proxy.Port }.Uri.ToString().TrimEnd('/') },
        new AzureBlobSecrets { SasToken = Sas(container) });
}
