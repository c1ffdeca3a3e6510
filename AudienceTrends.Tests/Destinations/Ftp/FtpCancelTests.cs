using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.Ftp;

public sealed class FtpCancelTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    [Test]
    public async Task A_job_cancelled_mid_upload_ends_Cancelled_and_leaves_no_file_on_the_server()
    {
        var folder = "cancel-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Combine(Server.Home, folder);
        var destination = new JsonObject
        {
            ["type"] = "ftp", ["server"] = "127.0.0.1", ["port"] = Server.Port,
            ["username"] = VsftpdServer.User, ["password"] = Server.Password, ["path"] = folder,
        };

        var job = await MidTransferCancel.RunAsync(await MidTransferCancel.SettingsAsync(), destination, (_, _) =>
        {
            Assert.That(Directory.GetFiles(directory).Select(Path.GetFileName), Has.One.StartsWith(".cancelled.csv."),
                "the temporary file is being written");
            return Task.CompletedTask;
        });

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"), job.ToJsonString());
        Assert.That(job["times"]!["end"], Is.Not.Null);
        Assert.That(Directory.GetFiles(directory), Is.Empty, "the temporary file was removed");
    }
}
