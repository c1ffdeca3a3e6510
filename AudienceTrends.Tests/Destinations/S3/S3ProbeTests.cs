using System.Text.Json.Nodes;
using Amazon.S3.Model;
using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.S3;

/// <summary>The destination test of <c>s3</c> against the tests' s3rver (signatures checked): the object-store scenarios and keys.</summary>
public class S3ProbeTests : ObjectStoreProbeTests
{
    protected override string Scheme => "s3";

    /// <summary>A path naming the object itself: the probe goes in its folder.</summary>
    protected override string ExportsPath => "/exports/july.csv";

    [Test]
    public async Task A_wrong_secret_key_stops_at_authenticate_without_showing_it()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var wrong = "wrong-secret-" + Guid.NewGuid().ToString("N");
        var destination = Destination(bucket, "folder");
        destination["aws_secret_access_key"] = wrong;

        var answer = await DestinationTestCall.PostAsync(destination, await SettingsAsync());

        answer.AssertSteps(ok: false, AllSteps[..3]);
        Assert.That(answer.LastDetail, Does.Contain("refused the access key").And.Contain("aws_secret_access_key"));
        answer.AssertNeverShows(wrong);
        Assert.That(await ObjectsInAsync(bucket), Is.Empty);
    }

    protected override string EndpointSetting => "S3:ServiceUrl";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["S3:ServiceUrl"] = S3ServerFixture.ServiceUrl;
        settings["S3:ForcePathStyle"] = "true";
        return settings;
    }

    protected override void AtSilentEndpoint(IDictionary<string, string?> settings, int port)
    {
        settings["S3:ServiceUrl"] = $"http://127.0.0.1:{port}";
        settings["S3:RequestTimeout"] = "00:00:01";
    }

    protected override JsonObject Destination(string bucket, string? path) => new()
    {
        ["type"] = "s3",
        ["aws_bucket"] = bucket,
        ["aws_region"] = "us-east-1",
        ["aws_access_key_id"] = S3ServerFixture.AccessKeyId,
        ["aws_secret_access_key"] = S3ServerFixture.SecretAccessKey,
        ["path"] = path,
    };

    protected override Task<string> NewBucketAsync() => S3ServerFixture.CreateBucketAsync();

    protected override Task<string> DeniedBucketAsync() => Task.FromResult(S3ServerFixture.DeniedBucket);

    protected override async Task<IReadOnlyList<string>> ObjectsInAsync(string bucket)
    {
        using var client = S3ServerFixture.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return [.. (listing.S3Objects ?? []).Select(o => o.Key)];
    }
}
