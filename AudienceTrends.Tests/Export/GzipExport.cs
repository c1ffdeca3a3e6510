using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// One export with <c>"compression": "gzip"</c> through the in-process host, and what every destination's test checks
/// of the stored file: it decompresses to exactly the uncompressed export, and the job's result describes it as stored.
/// </summary>
public static class GzipExport
{
    /// <summary>Posts <paramref name="example"/> with gzip and <paramref name="destination"/> in place of its own; the Done job.</summary>
    public static async Task<(JsonNode Job, byte[] ExpectedCsv)> RunAsync(
        Dictionary<string, string?> settings, string example, JsonObject? destination = null)
    {
        var body = JsonNode.Parse(HttpJson.Example(example))!.AsObject();
        body["compression"] = "gzip";
        if (destination is not null)
        {
            body["destination"] = destination;
        }

        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        using var created = await host.Client.PostExportAsync(body.ToJsonString());
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        return (job, expected);
    }

    /// <summary>The stored file is a gzip of exactly the CSV, named <c>.csv.gz</c>, and the result's size and hash are the stored file's.</summary>
    public static void AssertStored(JsonNode job, byte[] stored, byte[] expectedCsv)
    {
        var result = job["result"]!;
        Assert.Multiple(() =>
        {
            Assert.That(stored.AsSpan(0, 2).ToArray(), Is.EqualTo(new byte[] { 0x1f, 0x8b }), "a gzip stream");
            Assert.That(Decompress(stored), Is.EqualTo(expectedCsv));
            Assert.That(result["fileName"]!.GetValue<string>(), Is.EqualTo("audiencetrends.csv.gz"));
            Assert.That(result["rows"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(result["bytes"]!.GetValue<long>(), Is.EqualTo(stored.Length));
            Assert.That(result["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(stored))));
        });
    }

    private static byte[] Decompress(byte[] gzip)
    {
        using var decompressed = new MemoryStream();
        using (var reader = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress))
        {
            reader.CopyTo(decompressed);
        }

        return decompressed.ToArray();
    }
}
