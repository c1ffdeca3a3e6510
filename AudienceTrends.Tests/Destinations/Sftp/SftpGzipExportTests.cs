using System.Text.Json.Nodes;
using AudienceTrends.Tests.Export;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.Sftp;

public class SftpGzipExportTests
{
    [Test]
    public async Task A_gzip_export_is_written_to_the_server_as_csv_gz()
    {
        var server = SshdServer.Current;
        var folder = "gz-" + Guid.NewGuid().ToString("N")[..8];
        var destination = new JsonObject
        {
            ["type"] = "sftp",
            ["server"] = "127.0.0.1",
            ["port"] = server.Port,
            ["username"] = SshdServer.Current.PasswordUser,
            ["password"] = server.Password,
            ["path"] = folder,
        };

        var (job, expected) = await GzipExport.RunAsync(await TestApp.SettingsAsync(), "sftp.json", destination);

        var stored = Path.Combine(server.PasswordUserHome, folder, "audiencetrends.csv.gz");
        GzipExport.AssertStored(job, await File.ReadAllBytesAsync(stored), expected);
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(stored)!).Select(Path.GetFileName), Is.EqualTo(new[] { "audiencetrends.csv.gz" }));
    }
}
