using System.Security.Cryptography;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.AzureBlob;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.AzureBlob;

/// <summary>The <c>azureblob</c> destination against a real Azurite, with container SAS tokens signed here.</summary>
public class AzureBlobDestinationTests
{
    private const int BlockSize = 256 * 1024;

    private BlobServiceClient _service = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _service = new BlobServiceClient((await Azurite.InstanceAsync()).ConnectionString);

    [Test]
    public async Task A_small_file_is_stored_byte_for_byte_under_the_folder_with_its_content_type()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize(100_000);

        var result = await Deliver(container, "//exports//", content.OpenRead());

        Assert.That(result.Location, Is.EqualTo($"{container.Uri}/exports/export.csv"));
        Assert.That(await BlobsIn(container), Is.EqualTo(new[] { "exports/export.csv" }));
        Assert.That(await Sha256Of(container, "exports/export.csv"), Is.EqualTo(content.Sha256));
        var properties = await container.GetBlobClient("exports/export.csv").GetPropertiesAsync();
        Assert.That(properties.Value.ContentType, Is.EqualTo("text/csv; charset=utf-8"));
    }

    [Test]
    public async Task A_gzip_file_is_stored_as_csv_gz_with_content_type_application_gzip()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize(1000);
        using var destination = Destination();

        await destination.DeliverAsync(
            Request(container.Uri.ToString(), "reports", Sas(container)) with { File = ExportFile.For("export", ExportFile.GzipCompression) },
            content.OpenRead(),
            CancellationToken.None);

        var properties = await container.GetBlobClient("reports/export.csv.gz").GetPropertiesAsync();
        Assert.That(properties.Value.ContentType, Is.EqualTo("application/gzip"));
    }

    [Test]
    public async Task A_file_of_several_blocks_is_committed_whole_under_the_blob_name_the_path_gives()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize((5 * BlockSize) + 123);

        await Deliver(container, "/reports//july.csv", content.OpenRead());

        Assert.That(await BlobsIn(container), Is.EqualTo(new[] { "reports/july.csv" }));
        Assert.That(await Sha256Of(container, "reports/july.csv"), Is.EqualTo(content.Sha256));
        var blocks = await container.GetBlockBlobClient("reports/july.csv").GetBlockListAsync();
        Assert.That(blocks.Value.CommittedBlocks.Count(), Is.GreaterThan(1), "staged in blocks, committed at the end");
    }

    [Test]
    public async Task A_token_with_a_wrong_signature_is_an_authentication_failure_that_does_not_show_the_token()
    {
        var container = await NewContainerAsync();
        var forged = Sas(container).Replace("sig=", "sig=AAAA", StringComparison.Ordinal);

        var failure = await Refused(() => Deliver(container, null, GeneratedContent.OfSize(1000).OpenRead(), forged));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(failure.Message, Does.Contain(container.Uri.ToString()).And.Contain("SAS token"));
        Assert.That(failure.Message, Does.Not.Contain("sig=").And.Not.Contain(forged[(forged.IndexOf("sig=", StringComparison.Ordinal) + 4)..]));
        Assert.That(await BlobsIn(container), Is.Empty);
    }

    [Test]
    public async Task A_read_only_token_is_a_permission_failure()
    {
        var container = await NewContainerAsync();

        var failure = await Refused(() => Deliver(
            container, null, GeneratedContent.OfSize(1000).OpenRead(), Sas(container, BlobContainerSasPermissions.Read)));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(await BlobsIn(container), Is.Empty);
    }

    [Test]
    public async Task A_missing_container_is_not_found_and_named()
    {
        var missing = _service.GetBlobContainerClient("missing-" + Guid.NewGuid().ToString("N")[..12]);

        var failure = await Refused(() => Deliver(missing, null, GeneratedContent.OfSize(1000).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationNotFound));
        Assert.That(failure.Message, Does.Contain(missing.Name));
    }

    [Test]
    public async Task Content_failing_part_way_leaves_no_blob_and_a_retry_stores_one_whole_blob()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize((4 * BlockSize) + 77);

        Assert.That(() => Deliver(container, "folder", content.FailAfter((2 * BlockSize) + 10)),
            Throws.InstanceOf<IOException>().With.Message.Contains("simulated"));
        Assert.That(await BlobsIn(container), Is.Empty, "blocks were staged, none committed");

        await Deliver(container, "folder", content.OpenRead());

        Assert.That(await BlobsIn(container), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(container, "folder/export.csv"), Is.EqualTo(content.Sha256));
    }

    // The client resends a block whose connection died (it holds the block in memory), so a single cut is invisible.
    [Test]
    public async Task A_connection_cut_once_mid_upload_is_resent_and_one_whole_blob_is_stored()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize((8 * BlockSize) + 5);
        await using var proxy = new CuttingTcpProxy(container.Uri.Port, cutAfterBytes: (2 * BlockSize) + (BlockSize / 2));

        await Through(proxy, container, content);

        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(await BlobsIn(container), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(container, "folder/export.csv"), Is.EqualTo(content.Sha256));
    }

    // Every connection is cut inside the first block, on each of the client's own attempts: the delivery fails as
    // retryable and shows nothing; the job's retry, with the network back, stores exactly one blob.
    [Test]
    public async Task A_connection_cut_on_every_attempt_fails_for_a_retry_leaving_no_blob_and_the_retry_stores_one()
    {
        var container = await NewContainerAsync();
        var content = GeneratedContent.OfSize((8 * BlockSize) + 5);
        await using (var proxy = new CuttingTcpProxy(container.Uri.Port, cutAfterBytes: BlockSize / 2, connectionsToCut: 100))
        {
            Assert.That(() => Through(proxy, container, content), Throws.Exception.Not.InstanceOf<ExportFailedException>());
            Assert.That(proxy.CutConnections, Is.GreaterThan(1), "the client resent the block before giving up");
        }

        Assert.That(await BlobsIn(container), Is.Empty);

        await Deliver(container, "folder", content.OpenRead());

        Assert.That(await BlobsIn(container), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(container, "folder/export.csv"), Is.EqualTo(content.Sha256));
    }

    private static async Task Through(CuttingTcpProxy proxy, BlobContainerClient container, GeneratedContent content)
    {
        var throughProxy = new UriBuilder(container.Uri) { Port = proxy.Port }.Uri.ToString();
        using var destination = Destination();
        await destination.DeliverAsync(Request(throughProxy, "folder", Sas(container)), content.OpenRead(), CancellationToken.None);
    }

    [Test]
    public async Task A_host_outside_azure_and_outside_the_allowed_networks_is_refused_before_connecting()
    {
        var container = await NewContainerAsync();
        var destination = Destination(allowedNetworks: []);

        var failure = await Refused(() => destination.DeliverAsync(
            Request(container.Uri.ToString(), null, Sas(container)), GeneratedContent.OfSize(10).OpenRead(), CancellationToken.None));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(await BlobsIn(container), Is.Empty);
    }

    [Test]
    public async Task A_public_host_that_is_not_azure_blob_storage_is_refused()
    {
        var hosts = new AzureBlobHosts(Guard([]));

        var failure = await Refused(() => hosts.ResolveAsync("93.184.215.14", 443, CancellationToken.None));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(failure.Message, Does.Contain("blob.core.windows.net").And.Contain("NetworkGuard:AllowedNetworks"));
    }

    private static async Task<ExportFailedException> Refused(Func<Task> action)
    {
        var failure = await Assert.ThrowsAsync<ExportFailedException>(async () => await action());
        return failure ?? throw new AssertionException("No ExportFailedException.");
    }

    private Task<BlobContainerClient> NewContainerAsync() => NewContainerAsync(_service);

    internal static async Task<BlobContainerClient> NewContainerAsync(BlobServiceClient service)
    {
        var container = service.GetBlobContainerClient("exports-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        return container;
    }

    /// <summary>A container SAS as a customer would paste it: the query string without its <c>?</c>.</summary>
    internal static string Sas(BlobContainerClient container, BlobContainerSasPermissions permissions =
        BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.Delete
        | BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List) =>
        container.GenerateSasUri(permissions, DateTimeOffset.UtcNow.AddHours(1)).Query.TrimStart('?');

    internal static DestinationNetworkGuard Guard(List<string> allowedNetworks) =>
        new(Options.Create(new NetworkGuardOptions { AllowedNetworks = allowedNetworks }), new DnsHostResolver(), new OwnAddresses(TimeProvider.System));

    internal static AzureBlobDestination Destination(List<string>? allowedNetworks = null) => new(
        Options.Create(new AzureBlobOptions { BlockSizeBytes = BlockSize, MaxRetries = 2 }),
        new AzureBlobHosts(Guard(allowedNetworks ?? ["127.0.0.1/32"])),
        NullLogger<AzureBlobDestination>.Instance);

    private static DeliveryRequest Request(string containerUrl, string? path, string sas) => new(
        TestAccounts.DemoId,
        "job-" + Guid.NewGuid().ToString("N"),
        ExportFile.For("export"),
        new AzureBlobSettings { ContainerUrl = containerUrl.TrimEnd('/'), Path = path },
        new AzureBlobSecrets { SasToken = sas });

    private static async Task<DeliveryResult> Deliver(BlobContainerClient container, string? path, Stream content, string? sas = null)
    {
        using var destination = Destination();
        return await destination.DeliverAsync(Request(container.Uri.ToString(), path, sas ?? Sas(container)), content, CancellationToken.None);
    }

    internal static async Task<IReadOnlyList<string>> BlobsIn(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static async Task<string> Sha256Of(BlobContainerClient container, string name)
    {
        await using var stream = await container.GetBlobClient(name).OpenReadAsync();
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
