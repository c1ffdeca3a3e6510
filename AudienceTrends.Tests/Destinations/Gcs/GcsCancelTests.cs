using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.Gcs;

public sealed class GcsCancelTests
{
    [Test]
    public async Task A_job_cancelled_mid_resumable_upload_ends_Cancelled_with_no_object()
    {
        await using var emulator = await GcsEmulator.StartAsync();
        var bucket = emulator.AddBucket();
        var settings = await MidTransferCancel.SettingsAsync();
        settings["Gcs:BaseUri"] = emulator.BaseUri;
        settings["Gcs:UnauthenticatedAccess"] = "true";
        settings["Gcs:ChunkSizeBytes"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var destination = new JsonObject { ["type"] = "gcs", ["gcs_bucket"] = bucket, ["path"] = "folder" };

        var job = await MidTransferCancel.RunAsync(settings, destination, (_, _) =>
        {
            Assert.That(emulator.OpenSessions, Is.EqualTo(1), "the resumable upload was under way");
            return Task.CompletedTask;
        });

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"), job.ToJsonString());
        Assert.That(emulator.Objects.Keys, Is.Empty, "the unfinished resumable upload never became an object");
        Assert.That(emulator.OpenSessions, Is.Zero, "the cancelled upload cancelled its resumable session (DELETE on its URI)");
    }
}
