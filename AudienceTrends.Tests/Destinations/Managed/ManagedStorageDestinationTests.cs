using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.Managed;

/// <summary>
/// The managed download blob on Azurite: a file that ends within the first 4 MiB block is one Put Blob, a larger one
/// staged blocks and a commit; both arrive byte for byte with the download headers, and a failed export leaves no blob.
/// </summary>
public sealed class ManagedStorageDestinationTests
{
    private const int BlockSize = 4 * 1024 * 1024;

    private InProcessFunctionsHost _host = null!;

    [OneTimeSetUp]
    public async Task StartHost() => (_host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    [TestCase(0)]
    [TestCase(100_000)]
    [TestCase(BlockSize - 1)]
    public async Task A_file_within_one_block_arrives_whole_in_a_single_write_request(int size)
    {
        var content = GeneratedContent.OfSize(size);
        var jobId = JobIds.New(DateTimeOffset.UtcNow);
        using var requests = new BlobRequests(jobId);

        await DeliverAsync(jobId, content.OpenRead());

        Assert.That(requests.Sent, Is.EqualTo(new[] { "PUT" }), "one Put Blob, no block and block list");
        await AssertStoredAsync(jobId, content, committedBlocks: 0);
    }

    [TestCase(BlockSize)]
    [TestCase((9 * 1024 * 1024) + 123)]
    public async Task A_file_of_a_block_or_more_is_staged_in_4_MiB_blocks_and_arrives_whole(int size)
    {
        var content = GeneratedContent.OfSize(size);
        var jobId = JobIds.New(DateTimeOffset.UtcNow);

        await DeliverAsync(jobId, content.OpenRead());

        await AssertStoredAsync(jobId, content, committedBlocks: (size + BlockSize - 1) / BlockSize);
    }

    [TestCase(100_000, 50_000)]
    [TestCase(6 * 1024 * 1024, 5 * 1024 * 1024)]
    public void An_export_that_fails_part_way_leaves_no_blob(int size, int failAfter)
    {
        var jobId = JobIds.New(DateTimeOffset.UtcNow);

        Assert.That(() => DeliverAsync(jobId, GeneratedContent.OfSize(size).FailAfter(failAfter)), Throws.InstanceOf<IOException>());

        Assert.That(Blob(jobId).Exists().Value, Is.False);
    }

    private Task<DeliveryResult> DeliverAsync(string jobId, Stream content) =>
        _host.Services.GetRequiredService<DestinationKinds>().DeliveryFor(ManagedKind.Name).DeliverAsync(
            new DeliveryRequest(TestAccounts.DemoId, jobId, ExportFile.For("export"), ManagedSettings.Instance, NoSecrets.Instance), content, CancellationToken.None);

    private async Task AssertStoredAsync(string jobId, GeneratedContent content, int committedBlocks)
    {
        var blob = Blob(jobId);
        var stored = (await blob.DownloadContentAsync()).Value;
        var blocks = (await blob.GetBlockListAsync()).Value;
        Assert.Multiple(() =>
        {
            Assert.That(stored.Content.ToArray(), Is.EqualTo(content.Bytes));
            Assert.That(stored.Details.ContentType, Is.EqualTo(ExportFile.For("export").ContentType));
            Assert.That(stored.Details.ContentDisposition, Is.EqualTo("attachment; filename=\"export.csv\""));
            Assert.That(blocks.CommittedBlocks.Count(), Is.EqualTo(committedBlocks));
        });
    }

    private BlockBlobClient Blob(string jobId) =>
        _host.Services.GetRequiredService<StorageClients>().Blobs
            .GetBlobContainerClient(_host.Services.GetRequiredService<IOptions<ManagedStorageOptions>>().Value.Container)
            .GetBlockBlobClient($"{TestAccounts.Demo}/{jobId}/export.csv");

    /// <summary>The methods of the requests the Azure SDK sends (its Azure-Core event source) for one job's blob.</summary>
    private sealed class BlobRequests(string jobId) : EventListener
    {
        private readonly ConcurrentQueue<string> _methods = new();

        public IReadOnlyList<string> Sent => [.. _methods];

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Azure-Core")
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            // Request(requestId, method, uri, ...): one per attempt, retries included.
            if (eventData.EventName == "Request" && eventData.Payload is [_, string method, string uri, ..] &&
                uri.Contains($"/{jobId}/", StringComparison.Ordinal))
            {
                _methods.Enqueue(method);
            }
        }
    }
}
