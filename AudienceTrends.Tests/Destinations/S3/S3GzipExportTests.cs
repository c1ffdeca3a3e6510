using System.Text.Json.Nodes;
using AudienceTrends.Tests.Export;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.S3;

public class S3GzipExportTests
{
    [Test]
    public async Task A_gzip_export_is_stored_as_csv_gz_with_content_type_application_gzip()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var settings = await TestApp.SettingsAsync();
        settings["S3:ServiceUrl"] = S3ServerFixture.ServiceUrl;
        settings["S3:ForcePathStyle"] = "true";
        var destination = new JsonObject
        {
            ["type"] = "s3",
            ["aws_bucket"] = bucket,
            ["aws_region"] = "us-west-2",
            ["aws_access_key_id"] = S3ServerFixture.AccessKeyId,
            ["aws_secret_access_key"] = S3ServerFixture.SecretAccessKey,
            ["path"] = "folder",
        };

        var (job, expected) = await GzipExport.RunAsync(settings, "s3.json", destination);

        using var client = S3ServerFixture.CreateClient();
        using var stored = await client.GetObjectAsync(bucket, "folder/audiencetrends.csv.gz");
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        GzipExport.AssertStored(job, bytes.ToArray(), expected);
        Assert.That(stored.Headers.ContentType, Is.EqualTo("application/gzip"));
    }
}
