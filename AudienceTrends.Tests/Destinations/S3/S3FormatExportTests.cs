using System.Text.Json.Nodes;
using AudienceTrends.Tests.Export.Formats;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.S3;

public class S3FormatExportTests
{
    [Test]
    public async Task Parquet_and_json_lines_in_both_layouts_are_stored_with_their_content_types_as_DuckDB_reads_the_source()
    {
        var bucket = await S3ServerFixture.CreateBucketAsync();
        var database = FormatExport.CreateDatabase();
        var settings = await FormatExport.SettingsAsync(database);
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
        (FileVariant Variant, string ContentType)[] variants =
        [
            (new("parquet", "long", Gzip: false), "application/vnd.apache.parquet"),
            (new("jsonl", null, Gzip: true), "application/gzip"),
            (new("jsonl", "wide", Gzip: false), "application/jsonl"),
            (new("csv", "long", Gzip: false), "text/csv; charset=utf-8"),
        ];

        var jobs = await FormatExport.RunAsync(settings, "s3.json", destination, [.. variants.Select(v => v.Variant)]);

        using var client = S3ServerFixture.CreateClient();
        foreach (var ((variant, job), contentType) in jobs.Zip(variants.Select(v => v.ContentType)))
        {
            using var stored = await client.GetObjectAsync(bucket, "folder/" + variant.FileName);
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            FormatExport.AssertStored(variant, job, FormatExport.SaveAs(bytes.ToArray(), variant.FileName), database);
            Assert.That(stored.Headers.ContentType, Is.EqualTo(contentType), variant.Name);
        }
    }
}
