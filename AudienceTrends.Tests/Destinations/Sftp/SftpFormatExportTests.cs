using System.Text.Json.Nodes;
using AudienceTrends.Tests.Export.Formats;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

public class SftpFormatExportTests
{
    [Test]
    public async Task Parquet_and_json_lines_in_both_layouts_are_written_to_the_server_as_DuckDB_reads_the_source()
    {
        var server = SshdServer.Current;
        var folder = "formats-" + Guid.NewGuid().ToString("N")[..8];
        var destination = new JsonObject
        {
            ["type"] = "sftp",
            ["server"] = "127.0.0.1",
            ["port"] = server.Port,
            ["username"] = server.PasswordUser,
            ["password"] = server.Password,
            ["path"] = folder,
        };
        FileVariant[] variants =
        [
            new("parquet", null, Gzip: false),
            new("jsonl", "long", Gzip: false),
            new("jsonl", "wide", Gzip: true),
            new("csv", "long", Gzip: true),
        ];
        var database = FormatExport.CreateDatabase();

        var jobs = await FormatExport.RunAsync(await FormatExport.SettingsAsync(database), "sftp.json", destination, variants);

        var stored = Path.Combine(server.PasswordUserHome, folder);
        foreach (var (variant, job) in jobs)
        {
            FormatExport.AssertStored(variant, job, Path.Combine(stored, variant.FileName), database);
        }

        Assert.That(Directory.GetFiles(stored).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Is.EqualTo(variants.Select(v => v.FileName).Order(StringComparer.Ordinal)));
    }
}
