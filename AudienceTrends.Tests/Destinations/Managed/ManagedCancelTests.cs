using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Managed;

public sealed class ManagedCancelTests
{
    [Test]
    public async Task A_job_cancelled_mid_upload_ends_Cancelled_with_no_blob_nor_uncommitted_blocks()
    {
        var settings = await MidTransferCancel.SettingsAsync();
        var container = "cancel" + Guid.NewGuid().ToString("N")[..12];
        settings["ManagedStorage:Container"] = container;
        BlockBlobClient? blob = null;

        var job = await MidTransferCancel.RunAsync(settings, new JsonObject { ["type"] = "aws" }, async (jobId, services) =>
        {
            blob = services.GetRequiredService<StorageClients>().Blobs.GetBlobContainerClient(container)
                .GetBlockBlobClient(ManagedFiles.BlobName(TestAccounts.DemoId, jobId, "cancelled.csv"));
            Assert.That(await UncommittedBlocksAppearAsync(blob), Is.True, "blocks were being staged");
        });

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"), job.ToJsonString());
        Assert.That((await blob!.ExistsAsync()).Value, Is.False);
        Assert.That(async () => await blob.GetBlockListAsync(BlockListTypes.All),
            Throws.InstanceOf<Azure.RequestFailedException>().With.Property("Status").EqualTo(404), "no uncommitted block is left");
    }

    /// <summary>
    /// The source pauses once most rows are written, but the block holding them may still be on its way to Azurite:
    /// waits for the first staged block (a blob with none answers 404), up to the cancel test's bound.
    /// </summary>
    private static async Task<bool> UncommittedBlocksAppearAsync(BlockBlobClient blob)
    {
        var deadline = DateTime.UtcNow + MidTransferCancel.Bound;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await blob.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.Any())
                {
                    return true;
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                // Nothing staged yet: the blob does not exist until its first block.
            }

            await Task.Delay(100);
        }

        return false;
    }
}
