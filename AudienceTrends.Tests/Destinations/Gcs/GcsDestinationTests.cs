using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.Gcs;

public class GcsDestinationTests
{
    private const int ChunkSize = 8 * 1024 * 1024;
    private const string ServiceAccount = "exporter@audiencetrends-test.iam.gserviceaccount.com";

    private GcsEmulator _emulator = null!;
    private GcsDestination _destination = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _emulator = await GcsEmulator.StartAsync();
        _emulator.ServiceAccounts[ServiceAccount] = true;
        _destination = Destination(new GcsOptions { BaseUri = _emulator.BaseUri, UnauthenticatedAccess = true });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task A_small_file_is_stored_byte_for_byte()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize(100_000);

        var result = await Deliver(bucket, "exports", content.OpenRead());

        Assert.That(result.Location, Is.EqualTo($"gs://{bucket}/exports/export.csv"));
        Assert.That(StoredIn(bucket), Is.EqualTo(new[] { "exports/export.csv" }));
        Assert.That(_emulator.Objects[$"{bucket}/exports/export.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [TestCase("/audiencetrendsexport", "audiencetrendsexport/export.csv")]
    [TestCase("audiencetrendsexport/", "audiencetrendsexport/export.csv")]
    [TestCase("//a//b//", "a/b/export.csv")]
    [TestCase("folder/report.csv", "folder/report.csv/export.csv")]
    [TestCase("/", "export.csv")]
    [TestCase("", "export.csv")]
    [TestCase(null, "export.csv")]
    public void The_object_name_is_the_folder_without_stray_slashes_then_the_file(string? path, string name) =>
        Assert.That(DestinationPath.ObjectName(path, "export.csv"), Is.EqualTo(name));

    [Test]
    public async Task A_file_of_more_than_20_MB_goes_in_several_chunks()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize((25 * 1024 * 1024) + 123);

        await Deliver(bucket, "big", content.OpenRead());

        var stored = _emulator.Objects[$"{bucket}/big/export.csv"];
        Assert.That(stored.Sha256, Is.EqualTo(content.Sha256));
        Assert.That(stored.Chunks, Is.EqualTo(4), "25 MiB + 123 bytes in 8 MiB chunks");
    }

    [Test]
    public async Task The_reference_example_destination_is_delivered()
    {
        _emulator.AddBucket("bucketname");
        var destination = new GcsSettings { Bucket = "bucketname", Path = "/audiencetrendsexport" };
        var content = GeneratedContent.Of("audience,2021-07-16,2021-07-17\naudience1,10,11\naudience2,20,21\n");

        var result = await _destination.DeliverAsync(
            new DeliveryRequest(TestAccounts.DemoId, "job-1", ExportFile.For("audiencetrends"), destination, NoSecrets.Instance), content.OpenRead(), CancellationToken.None);

        Assert.That(result.Location, Is.EqualTo("gs://bucketname/audiencetrendsexport/audiencetrends.csv"));
        Assert.That(_emulator.Objects["bucketname/audiencetrendsexport/audiencetrends.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_service_account_key_authenticates_writes_to_a_private_bucket()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Private);
        var destination = Destination(new GcsOptions { BaseUri = _emulator.BaseUri, CredentialsJson = ServiceAccountJson(ServiceAccount) });
        var content = GeneratedContent.OfSize(5000);

        await destination.DeliverAsync(Request(bucket, "f"), content.OpenRead(), CancellationToken.None);

        Assert.That(_emulator.Objects[$"{bucket}/f/export.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_service_account_key_gcs_refuses_is_an_authentication_failure()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Private);
        var destination = Destination(new GcsOptions
        {
            BaseUri = _emulator.BaseUri,
            CredentialsJson = ServiceAccountJson("revoked@audiencetrends-test.iam.gserviceaccount.com"),
        });

        var failure = await Refused(() => destination.DeliverAsync(Request(bucket, "f"), GeneratedContent.OfSize(10).OpenRead(), CancellationToken.None));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(failure.Message, Does.Contain(bucket).And.Not.Contain("PRIVATE KEY"));
        Assert.That(StoredIn(bucket), Is.Empty);
    }

    [Test]
    public async Task Anonymous_access_to_a_private_bucket_is_an_authentication_failure()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Private);

        var failure = await Refused(() => Deliver(bucket, "f", GeneratedContent.OfSize(10).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(failure.Message, Does.Contain(bucket).And.Contain(_emulator.BaseUri));
    }

    [Test]
    public async Task A_bucket_that_denies_the_service_is_a_permission_failure()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Forbidden);

        var failure = await Refused(() => Deliver(bucket, "f", GeneratedContent.OfSize(10).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(failure.Message, Does.Contain(bucket));
    }

    [Test]
    public async Task An_unknown_bucket_is_not_found_and_named()
    {
        var failure = await Refused(() => Deliver("no-such-bucket", "f", GeneratedContent.OfSize(10).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationNotFound));
        Assert.That(failure.Message, Does.Contain("'no-such-bucket'"));
    }

    [Test]
    public void An_unreachable_endpoint_is_left_to_the_host_to_retry()
    {
        var destination = Destination(new GcsOptions { BaseUri = $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}/storage/v1/", UnauthenticatedAccess = true });

        Assert.That(
            () => destination.DeliverAsync(Request("any-bucket", "f"), GeneratedContent.OfSize(10).OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
    }

    [Test]
    public async Task A_connection_dropped_on_a_chunk_leaves_no_object_and_a_retry_stores_one_whole_object()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize((2 * ChunkSize) + 5);
        _emulator.DropConnectionOnChunk(bucket, 2);

        Assert.That(
            () => Deliver(bucket, "f", content.OpenRead()),
            Throws.InstanceOf<IOException>().With.Message.Contains("made no progress"));
        Assert.That(StoredIn(bucket), Is.Empty);
        Assert.That(_emulator.OpenSessionsIn(bucket), Is.Zero, "the failed upload cancelled its resumable session");

        _emulator.StopDroppingConnections(bucket);
        await Deliver(bucket, "f", content.OpenRead());

        Assert.That(StoredIn(bucket), Is.EqualTo(new[] { "f/export.csv" }));
        Assert.That(_emulator.Objects[$"{bucket}/f/export.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_connection_dropped_once_is_resumed_where_the_server_stopped()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize((2 * ChunkSize) + 5);
        _emulator.DropConnectionOnChunk(bucket, 2, times: 1);

        await Deliver(bucket, "f", content.OpenRead());

        var stored = _emulator.Objects[$"{bucket}/f/export.csv"];
        Assert.That(stored.Sha256, Is.EqualTo(content.Sha256));
        Assert.That(stored.Chunks, Is.EqualTo(3));
    }

    [Test]
    public async Task An_empty_file_is_stored_empty()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize(0);

        await Deliver(bucket, null, content.OpenRead());

        Assert.That(_emulator.Objects[$"{bucket}/export.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [Test]
    public void The_destination_is_registered_once_per_process()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddGcs(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gcs:BaseUri"] = _emulator.BaseUri,
                ["Gcs:UnauthenticatedAccess"] = "true",
            }).Build())
            .AddGcs(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var kinds = provider.GetServices<RegisteredKind>().ToList();

        Assert.That(kinds, Has.Count.EqualTo(1));
        Assert.That(kinds[0].WireName, Is.EqualTo(GcsKind.Name));
        Assert.That(kinds[0].Delivery, Is.SameAs(provider.GetRequiredService<GcsDestination>()));
    }

    [Test]
    public async Task Content_failing_part_way_leaves_no_object_and_a_retry_stores_one_whole_object()
    {
        var bucket = _emulator.AddBucket();
        var content = GeneratedContent.OfSize((2 * ChunkSize) + 5);

        Assert.That(
            () => Deliver(bucket, "f", content.FailAfter(ChunkSize + 100)),
            Throws.InstanceOf<IOException>().With.Message.Contains("simulated"));
        Assert.That(StoredIn(bucket), Is.Empty);
        Assert.That(_emulator.OpenSessionsIn(bucket), Is.Zero, "the failed upload cancelled its resumable session");

        await Deliver(bucket, "f", content.OpenRead());

        Assert.That(StoredIn(bucket), Is.EqualTo(new[] { "f/export.csv" }));
        Assert.That(_emulator.Objects[$"{bucket}/f/export.csv"].Sha256, Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task The_emulator_refuses_a_final_chunk_whose_crc32c_does_not_match()
    {
        var bucket = _emulator.AddBucket();
        using var http = new HttpClient();
        using var initiate = new StringContent("""{"name":"tampered.csv"}""", Encoding.UTF8, "application/json");
        using var session = await http.PostAsync($"{_emulator.Root}upload/storage/v1/b/{bucket}/o?uploadType=resumable", initiate);
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\n");

        using var chunk = new ByteArrayContent(bytes);
        chunk.Headers.ContentRange = new ContentRangeHeaderValue(0, bytes.Length - 1, bytes.Length);
        chunk.Headers.Add("x-goog-hash", "crc32c=" + GcsEmulator.Crc32C(Encoding.UTF8.GetBytes("a,b\n1,3\n")));
        using var answer = await http.PutAsync(session.Headers.Location, chunk);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(StoredIn(bucket), Is.Empty);
        Assert.That(GcsEmulator.Crc32C(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(Convert.ToBase64String([0xE3, 0x06, 0x92, 0x83])));
    }

    [Test]
    public void The_default_options_are_valid_and_emulator_only_settings_are_refused_by_name()
    {
        Assert.That(GcsOptions.Validate(new GcsOptions()), Is.Empty);

        var services = new ServiceCollection().AddGcs(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gcs:UnauthenticatedAccess"] = "true",
                ["Gcs:ChunkSizeBytes"] = "1000000",
                ["Gcs:CredentialsJson"] = "{\"type\":\"authorized_user\"}",
            })
            .Build());
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<GcsOptions>>().Value);
        Assert.That(
            failure.Failures,
            Has.Some.StartsWith("Gcs:UnauthenticatedAccess is only for emulators")
                .And.Some.StartsWith("Gcs:ChunkSizeBytes")
                .And.Some.StartsWith("Gcs:CredentialsJson must be a service account"));
    }

    private static GcsDestination Destination(GcsOptions options) => new(Options.Create(options), NullLogger<GcsDestination>.Instance);

    private static DeliveryRequest Request(string bucket, string? path) => new(
        TestAccounts.DemoId,
        "job-" + Guid.NewGuid().ToString("N"),
        ExportFile.For("export"),
        new GcsSettings { Bucket = bucket, Path = path },
        NoSecrets.Instance);

    private static async Task<ExportFailedException> Refused(Func<Task> delivery)
    {
        var failure = await Assert.ThrowsAsync<ExportFailedException>(async () => await delivery());
        return failure ?? throw new AssertionException("No ExportFailedException.");
    }

    private Task<DeliveryResult> Deliver(string bucket, string? path, Stream content) =>
        _destination.DeliverAsync(Request(bucket, path), content, CancellationToken.None);

    private List<string> StoredIn(string bucket) =>
        _emulator.Objects.Keys.Where(k => k.StartsWith(bucket + "/", StringComparison.Ordinal)).Select(k => k[(bucket.Length + 1)..]).ToList();

    internal static string ServiceAccountJson(string email)
    {
        using var key = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "audiencetrends-test",
            ["private_key_id"] = "key-1",
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = email,
            ["client_id"] = "1234567890",
        });
    }
}
