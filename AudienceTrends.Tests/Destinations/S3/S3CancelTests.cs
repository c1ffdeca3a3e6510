using System.Text.Json.Nodes;
using Amazon.S3.Model;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.S3;

public sealed class S3CancelTests
{
    [Test]
    public async Task A_job_cancelled_mid_multipart_upload_ends_Cancelled_with_the_upload_aborted()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var settings = await MidTransferCancel.SettingsAsync();
        settings["S3:ServiceUrl"] = S3ServerFixture.ServiceUrl;
        settings["S3:ForcePathStyle"] = "true";
        settings["S3:PartSizeBytes"] = S3Options.MinimumPartSizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var destination = new JsonObject
        {
            ["type"] = "s3", ["aws_access_key_id"] = S3ServerFixture.AccessKeyId, ["aws_secret_access_key"] = S3ServerFixture.SecretAccessKey,
            ["aws_bucket"] = bucket, ["aws_region"] = "us-east-1", ["path"] = "folder",
        };

        var job = await MidTransferCancel.RunAsync(settings, destination, async (_, _) =>
        {
            // The first part is read before the upload is initiated: give the initiation a moment to land.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while ((await PendingUploadsAsync(bucket)).Count == 0)
            {
                await Task.Delay(50, patience.Token);
            }
        });

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"), job.ToJsonString());
        using var client = S3ServerFixture.CreateClient();
        var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.That(objects.S3Objects ?? [], Is.Empty);
        Assert.That(await PendingUploadsAsync(bucket), Is.Empty, "the multipart upload was aborted");
    }

    private static async Task<IReadOnlyList<string>> PendingUploadsAsync(string bucket)
    {
        using var client = S3ServerFixture.CreateClient();
        var response = await client.ListMultipartUploadsAsync(bucket);
        return (response.MultipartUploads ?? []).Select(u => u.UploadId).ToList();
    }
}
