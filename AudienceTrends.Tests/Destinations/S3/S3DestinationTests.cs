using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.S3;

public class S3DestinationTests
{
    private const int PartSize = S3Options.MinimumPartSizeBytes;

    [Test]
    public async Task A_small_file_is_stored_byte_for_byte_with_a_single_put()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize(100_000);

        var result = await Deliver(bucket, "folder", content.OpenRead());

        Assert.That(result.Location, Is.EqualTo($"s3://{bucket}/folder/export.csv"));
        Assert.That(await Sha256Of(bucket, "folder/export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(StoredParts(bucket), Is.Zero);
    }

    [Test]
    public async Task An_empty_file_is_stored_empty()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize(0);

        await Deliver(bucket, null, content.OpenRead());

        Assert.That(await Sha256Of(bucket, "export.csv"), Is.EqualTo(content.Sha256));
    }

    [TestCase("folder", "folder/export.csv")]
    [TestCase("/folder/", "folder/export.csv")]
    [TestCase("folder/", "folder/export.csv")]
    [TestCase("//folder//", "folder/export.csv")]
    [TestCase("/a//b/c/", "a/b/c/export.csv")]
    [TestCase(null, "export.csv")]
    [TestCase("", "export.csv")]
    [TestCase("/", "export.csv")]
    [TestCase("reports/2021/july.csv", "reports/2021/july.csv")]
    [TestCase("/reports//july.CSV", "reports/july.CSV")]
    [TestCase("reports.csv/", "reports.csv/export.csv")]
    public void The_key_is_the_path_when_it_names_a_csv_file_else_a_folder_for_the_file(string? path, string key) =>
        Assert.That(S3Destination.ObjectKey(path, ExportFile.For("export")), Is.EqualTo(key));

    [TestCase("//folder//", "folder/export.csv")]
    [TestCase("/", "export.csv")]
    [TestCase("/reports//july.csv", "reports/july.csv")]
    public async Task The_object_lands_under_the_normalised_key(string path, string key)
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.Of("audience,2021-07-16\naudience1,42\n");

        var result = await Deliver(bucket, path, content.OpenRead());

        Assert.That(result.Location, Is.EqualTo($"s3://{bucket}/{key}"));
        Assert.That(await Keys(bucket), Is.EqualTo(new[] { key }));
        Assert.That(await Sha256Of(bucket, key), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_file_of_more_than_20_MB_goes_as_a_multipart_upload_of_several_parts()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize((21 * 1024 * 1024) + 123);

        await Deliver(bucket, "big", content.OpenRead());

        Assert.That(await Sha256Of(bucket, "big/export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(StoredParts(bucket), Is.EqualTo(5), "21 MiB + 123 bytes in 5 MiB parts");
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    [Test]
    public async Task Content_of_exactly_one_part_is_stored_whole()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize(PartSize);

        await Deliver(bucket, null, content.OpenRead());

        Assert.That(await Sha256Of(bucket, "export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    [Test]
    public async Task A_wrong_secret_is_refused_as_an_authentication_failure_without_revealing_the_keys()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var secrets = new S3Secrets { AccessKeyId = S3ServerFixture.AccessKeyId, SecretAccessKey = "WrongSecret123" };

        var failure = await Refused(
            () => Deliver(bucket, "folder", GeneratedContent.OfSize(1000).OpenRead(), secrets));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(failure.Message, Does.Contain(bucket).And.Contain(S3ServerFixture.ServiceUrl).And.Contain("SignatureDoesNotMatch"));
        Assert.That(failure.Message, Does.Not.Contain("WrongSecret123").And.Not.Contain(S3ServerFixture.AccessKeyId));
        Assert.That(await Keys(bucket), Is.Empty);
    }

    [Test]
    public async Task A_wrong_secret_is_refused_before_a_multipart_upload_starts()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var secrets = new S3Secrets { AccessKeyId = S3ServerFixture.AccessKeyId, SecretAccessKey = "WrongSecret123" };

        var failure = await Refused(
            () => Deliver(bucket, "folder", GeneratedContent.OfSize(PartSize * 2).OpenRead(), secrets));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    [Test]
    public async Task An_unknown_access_key_is_an_authentication_failure()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var secrets = new S3Secrets { AccessKeyId = "AKIAUNKNOWN0000", SecretAccessKey = "whatever-secret" };

        var failure = await Refused(
            () => Deliver(bucket, "folder", GeneratedContent.OfSize(1000).OpenRead(), secrets));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(failure.Message, Does.Not.Contain("AKIAUNKNOWN0000").And.Not.Contain("whatever-secret"));
    }

    [Test]
    public async Task An_unknown_bucket_is_not_found_and_named()
    {
        var failure = await Refused(
            () => Deliver("no-such-bucket", "folder", GeneratedContent.OfSize(1000).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationNotFound));
        Assert.That(failure.Message, Does.Contain("'no-such-bucket'").And.Contain("us-west-2"));
    }

    [Test]
    public async Task An_unknown_bucket_is_not_found_for_a_multipart_upload_too()
    {
        var failure = await Refused(
            () => Deliver("no-such-bucket", "folder", GeneratedContent.OfSize(PartSize + 1).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationNotFound));
    }

    [Test]
    public async Task A_bucket_that_denies_the_key_is_a_permission_failure()
    {
        var failure = await Refused(
            () => Deliver(S3ServerFixture.DeniedBucket, "folder", GeneratedContent.OfSize(1000).OpenRead()));

        Assert.That(failure.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(failure.Message, Does.Contain(S3ServerFixture.DeniedBucket));
    }

    [Test]
    public void An_unreachable_endpoint_is_left_to_the_host_to_retry()
    {
        var closedPort = ServerProcess.FreeTcpPort();
        var destination = Destination(new S3Options { ServiceUrl = $"http://127.0.0.1:{closedPort}", ForcePathStyle = true });

        Assert.That(
            () => destination.DeliverAsync(Request("any-bucket", "folder"), GeneratedContent.OfSize(1000).OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
    }

    [Test]
    public async Task Content_failing_part_way_leaves_no_object_and_no_pending_upload_and_a_retry_stores_one_whole_object()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize((3 * PartSize) + 777);

        Assert.That(
            () => Deliver(bucket, "folder", content.FailAfter((2 * PartSize) + 100)),
            Throws.InstanceOf<IOException>().With.Message.Contains("simulated"));
        Assert.That(StoredParts(bucket), Is.EqualTo(2), "the failure happened after parts were sent");
        Assert.That(await Keys(bucket), Is.Empty);
        Assert.That(await PendingUploads(bucket), Is.Empty);

        var result = await Deliver(bucket, "folder", content.OpenRead());

        Assert.That(result.Location, Is.EqualTo($"s3://{bucket}/folder/export.csv"));
        Assert.That(await Keys(bucket), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(bucket, "folder/export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    // The SDK resends a request whose connection died (its retry policy treats a reset socket as transient, and the
    // part's buffer can be rewound), so a single cut is invisible to the job.
    [Test]
    public async Task A_connection_cut_once_mid_upload_is_resent_by_the_sdk_and_one_whole_object_is_stored()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize((4 * PartSize) + 777);
        await using var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: (2 * PartSize) + (PartSize / 2));

        var result = await Through(proxy).DeliverAsync(Request(bucket, "folder"), content.OpenRead(), CancellationToken.None);

        Assert.That(proxy.CutConnections, Is.EqualTo(1), "cut half-way through part 3");
        Assert.That(result.Location, Is.EqualTo($"s3://{bucket}/folder/export.csv"));
        Assert.That(await Keys(bucket), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(bucket, "folder/export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(StoredParts(bucket), Is.EqualTo(5), "the cut part was not kept half, and was stored whole once");
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    // Every connection is cut 1 MiB in: inside part 1 of the initiated multipart upload, on each of the SDK's attempts,
    // so it gives up. The delivery must fail as retryable, abort the upload (the abort is small enough to pass the
    // proxy) and show nothing; the job's retry, with the network back, must store one whole object.
    [Test]
    public async Task A_connection_cut_on_every_attempt_fails_for_a_retry_leaving_no_object_nor_pending_upload()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var content = GeneratedContent.OfSize((4 * PartSize) + 777);
        var request = Request(bucket, "folder");
        await using (var proxy = new CuttingTcpProxy(S3ServerFixture.Port, cutAfterBytes: PartSize / 5, connectionsToCut: 100))
        {
            // Not an ExportFailedException (a refusal): the host retries the job.
            Assert.That(
                () => Through(proxy).DeliverAsync(request, content.OpenRead(), CancellationToken.None),
                Throws.Exception.Not.InstanceOf<ExportFailedException>());
            Assert.That(proxy.CutConnections, Is.GreaterThan(1), "the SDK resent the part before giving up");
        }

        Assert.That(await Keys(bucket), Is.Empty);
        Assert.That(await PendingUploads(bucket), Is.Empty);

        await Destination().DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(await Keys(bucket), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(bucket, "folder/export.csv"), Is.EqualTo(content.Sha256));
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    [Test]
    public async Task Content_failing_within_the_first_part_sends_nothing()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();

        Assert.That(
            () => Deliver(bucket, "folder", GeneratedContent.OfSize(2 * PartSize).FailAfter(1000)),
            Throws.InstanceOf<IOException>());

        Assert.That(await Keys(bucket), Is.Empty);
        Assert.That(await PendingUploads(bucket), Is.Empty);
    }

    [Test]
    public async Task Delivering_again_replaces_the_object_with_the_new_content()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        await Deliver(bucket, "folder", GeneratedContent.OfSize(PartSize + 10).OpenRead());
        var second = GeneratedContent.OfSize(5000);

        await Deliver(bucket, "folder", second.OpenRead());

        Assert.That(await Keys(bucket), Is.EqualTo(new[] { "folder/export.csv" }));
        Assert.That(await Sha256Of(bucket, "folder/export.csv"), Is.EqualTo(second.Sha256));
    }

    [Test]
    public async Task The_reference_example_destination_is_delivered()
    {
        // The reference page's body: bucket my_bucket (a legacy name with an underscore), us-west-2, path "folder".
        var destination = new S3Settings
        {
            Bucket = "my_bucket",
            Region = "us-west-2",
            Path = "folder",
        };
        var secrets = new S3Secrets { AccessKeyId = "A1234567890", SecretAccessKey = "B1234567890" };
        var content = GeneratedContent.Of("audience,2021-07-16,2021-07-17\naudience1,10,11\naudience2,20,21\n");

        var result = await Destination().DeliverAsync(
            new DeliveryRequest(TestAccounts.DemoId, "job-1", ExportFile.For("audiencetrends"), destination, secrets), content.OpenRead(), CancellationToken.None);

        Assert.That(result.Location, Is.EqualTo("s3://my_bucket/folder/audiencetrends.csv"));
        Assert.That(await Sha256Of("my_bucket", "folder/audiencetrends.csv"), Is.EqualTo(content.Sha256));
    }

    [Test]
    public void The_default_options_are_valid_and_a_part_size_under_5_MiB_is_refused_by_name()
    {
        Assert.That(S3Options.Validate(new S3Options()), Is.Empty);

        var services = new ServiceCollection().AddS3(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["S3:PartSizeBytes"] = "4194304",
                ["S3:ServiceUrl"] = "not a url",
            })
            .Build());
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<S3Options>>().Value);
        Assert.That(failure.Failures, Has.Some.StartsWith("S3:PartSizeBytes").And.Some.StartsWith("S3:ServiceUrl"));
    }

    private static async Task<ExportFailedException> Refused(Func<Task> delivery)
    {
        var failure = await Assert.ThrowsAsync<ExportFailedException>(async () => await delivery());
        return failure ?? throw new AssertionException("No ExportFailedException.");
    }

    internal static S3Destination Destination(S3Options? options = null) => new(
        Options.Create(options ?? new S3Options { ServiceUrl = S3ServerFixture.ServiceUrl, ForcePathStyle = true, PartSizeBytes = PartSize }),
        NullLogger<S3Destination>.Instance);

    /// <summary>The destination talking to s3rver through <paramref name="proxy"/>.</summary>
    private static S3Destination Through(CuttingTcpProxy proxy) =>
        Destination(new S3Options { ServiceUrl = $"http://127.0.0.1:{proxy.Port}", ForcePathStyle = true, PartSizeBytes = PartSize });

    internal static DeliveryRequest Request(string bucket, string? path, S3Secrets? secrets = null) => new(
        TestAccounts.DemoId,
        "job-" + Guid.NewGuid().ToString("N"),
        ExportFile.For("export"),
        new S3Settings { Bucket = bucket, Region = "us-west-2", Path = path },
        secrets ?? new S3Secrets { AccessKeyId = S3ServerFixture.AccessKeyId, SecretAccessKey = S3ServerFixture.SecretAccessKey });

    private static Task<DeliveryResult> Deliver(string bucket, string? path, Stream content, S3Secrets? secrets = null) =>
        Destination().DeliverAsync(Request(bucket, path, secrets), content, CancellationToken.None);

    private static async Task<string> Sha256Of(string bucket, string key)
    {
        using var client = S3ServerFixture.CreateClient();
        using var response = await client.GetObjectAsync(bucket, key);
        using var sha = SHA256.Create();
        return Convert.ToHexStringLower(await sha.ComputeHashAsync(response.ResponseStream));
    }

    internal static async Task<IReadOnlyList<string>> Keys(string bucket)
    {
        using var client = S3ServerFixture.CreateClient();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }

    internal static async Task<IReadOnlyList<string>> PendingUploads(string bucket)
    {
        using var client = S3ServerFixture.CreateClient();
        var response = await client.ListMultipartUploadsAsync(bucket);
        Assert.That(response.HttpStatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (response.MultipartUploads ?? []).Select(u => $"{u.Key} {u.UploadId}").ToList();
    }

    /// <summary>How many parts s3rver has received for <paramref name="bucket"/> (each test has its own bucket).</summary>
    private static int StoredParts(string bucket) =>
        Regex.Count(S3ServerFixture.Output, $@"Stored part \d+ of [0-9a-f]+ in bucket ""{Regex.Escape(bucket)}""");
}
