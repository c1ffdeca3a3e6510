using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AudienceTrends.Tests.Storage;

/// <summary>
/// A table, queue or container whose first creation attempt fails (the connection to storage is reset) is created by
/// the next call: the failure is not remembered. Real Azurite behind a proxy that cuts the first connection; the
/// clients do not retry on their own, so one call is one connection.
/// </summary>
public sealed class StorageResourceTests
{
    [Test]
    public async Task A_table_whose_first_creation_failed_is_created_by_the_next_call()
    {
        var name = "ensure" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = (await Azurite.InstanceAsync()).ConnectionString;
        var direct = new TableServiceClient(connectionString);
        await using var proxy = new CuttingTcpProxy(direct.Uri.Port, cutAfterBytes: 1);
        var table = new TableClient(Through(proxy, connectionString, direct.Uri), name, NoRetries(new TableClientOptions()));

        await AssertFirstFailsThenSucceedsAsync(StorageResource.For(table), proxy,
            async () => await direct.QueryAsync(t => t.Name == name).AnyAsync());
        await direct.DeleteTableAsync(name);
    }

    [Test]
    public async Task A_queue_whose_first_creation_failed_is_created_by_the_next_call()
    {
        var name = "ensure-" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = (await Azurite.InstanceAsync()).ConnectionString;
        var direct = new QueueServiceClient(connectionString);
        await using var proxy = new CuttingTcpProxy(direct.Uri.Port, cutAfterBytes: 1);
        var queue = new QueueClient(Through(proxy, connectionString, direct.Uri), name, NoRetries(new QueueClientOptions()));

        await AssertFirstFailsThenSucceedsAsync(StorageResource.For(queue), proxy,
            async () => (await direct.GetQueueClient(name).ExistsAsync()).Value);
        await direct.DeleteQueueAsync(name);
    }

    [Test]
    public async Task A_container_whose_first_creation_failed_is_created_private_by_the_next_call()
    {
        var name = "ensure-" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = (await Azurite.InstanceAsync()).ConnectionString;
        var direct = new BlobServiceClient(connectionString);
        await using var proxy = new CuttingTcpProxy(direct.Uri.Port, cutAfterBytes: 1);
        var container = new BlobContainerClient(Through(proxy, connectionString, direct.Uri), name, NoRetries(new BlobClientOptions()));

        await AssertFirstFailsThenSucceedsAsync(StorageResource.For(container), proxy,
            async () => (await direct.GetBlobContainerClient(name).ExistsAsync()).Value);
        var access = (await direct.GetBlobContainerClient(name).GetAccessPolicyAsync()).Value.BlobPublicAccess;
        Assert.That(access, Is.EqualTo(Azure.Storage.Blobs.Models.PublicAccessType.None));
        await direct.DeleteBlobContainerAsync(name);
    }

    private static async Task AssertFirstFailsThenSucceedsAsync(StorageResource resource, CuttingTcpProxy proxy, Func<Task<bool>> exists)
    {
        Assert.That(() => resource.EnsureAsync(CancellationToken.None), Throws.InstanceOf<RequestFailedException>());
        Assert.Multiple(async () =>
        {
            Assert.That(proxy.CutConnections, Is.EqualTo(1), "the first attempt reached the proxy and was cut");
            Assert.That(await exists(), Is.False, "the cut attempt created nothing");
        });

        await resource.EnsureAsync(CancellationToken.None);

        Assert.That(await exists(), Is.True);
    }

    /// <summary>The account's connection string with one service's endpoint sent through the proxy.</summary>
    private static string Through(CuttingTcpProxy proxy, string connectionString, Uri service) =>
        connectionString.Replace($":{service.Port}/", $":{proxy.Port}/", StringComparison.Ordinal);

    private static T NoRetries<T>(T options)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 0;
        return options;
    }
}
