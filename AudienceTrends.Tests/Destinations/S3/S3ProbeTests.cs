using System.Text.Json.Nodes;
using Amazon.S3.Model;
using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.S3;

/// <summary>The destination test of <c>s3</c> against the tests' s3rver (signatures checked), listing the bucket afterwards.</summary>
public class S3ProbeTests
{
    private static readonly string[] AllSteps = ["resolve", "network guard", "connect", "authenticate", "write", "delete"];

    [Test]
    public async Task A_writable_bucket_passes_every_step_and_no_object_is_left()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, "exports/july.csv"), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("write"), Does.Contain($"s3://{bucket}/exports/.audiencetrends-probe-"));
        Assert.That(await KeysInAsync(bucket), Is.Empty);
    }

    [Test]
    public async Task A_wrong_secret_key_stops_at_authenticate_without_showing_it()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var wrong = "wrong-secret-" + Guid.NewGuid().ToString("N");

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, "folder", secret: wrong), await SettingsAsync());

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("refused the access key").And.Contain("aws_secret_access_key"));
        answer.AssertNeverShows(wrong);
        Assert.That(await KeysInAsync(bucket), Is.Empty);
    }

    [Test]
    public async Task A_missing_bucket_stops_at_write_naming_it()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var answer = await DestinationTestCall.PostAsync(Destination(missing, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate", "write");
        Assert.That(answer.LastDetail, Does.Contain($"no bucket '{missing}'"));
    }

    [Test]
    public async Task A_bucket_that_denies_the_key_stops_at_write_saying_so()
    {
        var answer = await DestinationTestCall.PostAsync(Destination(S3ServerFixture.DeniedBucket, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate", "write");
        Assert.That(answer.LastDetail, Does.Contain("denied").And.Contain(S3ServerFixture.DeniedBucket));
    }

    [Test]
    public async Task An_endpoint_outside_the_network_guard_stops_at_the_network_guard()
    {
        var settings = await SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");

        var answer = await DestinationTestCall.PostAsync(Destination(await S3ServerFixture.CreateBucketAsync(), null), settings);

        answer.AssertSteps(ok: false, "resolve", "network guard");
        Assert.That(answer.LastDetail, Does.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task An_endpoint_that_accepts_and_never_answers_stops_at_authenticate_with_a_timeout()
    {
        await using var silent = new SilentListener();
        var settings = await SettingsAsync();
        settings["S3:ServiceUrl"] = $"http://127.0.0.1:{silent.Port}";
        settings["S3:RequestTimeout"] = "00:00:01";

        var answer = await DestinationTestCall.PostAsync(Destination("any-bucket", null), settings);

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("within"));
    }

    private static async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["S3:ServiceUrl"] = S3ServerFixture.ServiceUrl;
        settings["S3:ForcePathStyle"] = "true";
        return settings;
    }

    private static JsonObject Destination(string bucket, string? path, string? secret = null) => new()
    {
        ["type"] = "s3",
        ["aws_bucket"] = bucket,
        ["aws_region"] = "us-east-1",
        ["aws_access_key_id"] = S3ServerFixture.AccessKeyId,
        ["aws_secret_access_key"] = secret ?? S3ServerFixture.SecretAccessKey,
        ["path"] = path,
    };

    private static async Task<List<string>> KeysInAsync(string bucket)
    {
        using var client = S3ServerFixture.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return [.. (listing.S3Objects ?? []).Select(o => o.Key)];
    }
}
