using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace AudienceTrends.Tests.Storage;

/// <summary>
/// A table, queue or container whose first creation attempt fails (the connection to storage is reset) is created by
/// the next call: the failure is not remembered. Real Azurite behind a proxy that cuts the first connection; the
/// clients do not retry on their own, so one call is one connection.
/// </summary>
public sealed class StorageResourceTests
{
    private static readonly string Name = "ensure" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task A_table_whose_first_creation_failed_is_created_by_the_next_call()
    {
        var direct = new TableServiceClient(await ConnectionStringAsync());

        await AssertFirstFailsThenSucceedsAsync(direct.Uri,
            through => StorageResource.For(new TableClient(through, Name, NoRetries(new TableClientOptions()))),
            async () => await direct.QueryAsync(t => t.Name == Name).AnyAsync());
        await direct.DeleteTableAsync(Name);
    }

    [Test]
    public async Task A_queue_whose_first_creation_failed_is_created_by_the_next_call()
    {
        var direct = new QueueServiceClient(await ConnectionStringAsync()).GetQueueClient(Name);

        await AssertFirstFailsThenSucceedsAsync(direct.Uri,
            through => StorageResource.For(new QueueClient(through, Name, NoRetries(new QueueClientOptions()))),
            async () => (await direct.ExistsAsync()).Value);
        await direct.DeleteAsync();
    }

    [Test]
    public async Task A_container_whose_first_creation_failed_is_created_private_by_the_next_call()
    {
        var direct = new BlobServiceClient(await ConnectionStringAsync()).GetBlobContainerClient(Name);

        await AssertFirstFailsThenSucceedsAsync(direct.Uri,
            through => StorageResource.For(new BlobContainerClient(through, Name, NoRetries(new BlobClientOptions()))),
            async () => (await direct.ExistsAsync()).Value);
        Assert.That((await direct.GetAccessPolicyAsync()).Value.BlobPublicAccess, Is.EqualTo(PublicAccessType.None));
        await direct.DeleteAsync();
    }

    /// <param name="service">The resource's address on Azurite, for its port.</param>
    /// <param name="throughProxy">The resource, from a connection string whose endpoint goes through the proxy.</param>
    private static async Task AssertFirstFailsThenSucceedsAsync(Uri service, Func<string, StorageResource> throughProxy, Func<Task<bool>> exists)
    {
        var connectionString = await ConnectionStringAsync();
        await using var proxy = new CuttingTcpProxy(service.Port, cutAfterBytes: 1);
        var resource = throughProxy(connectionString.Replace($":{service.Port}/", $":{proxy.Port}/", StringComparison.Ordinal));

        Assert.That(() => resource.EnsureAsync(CancellationToken.None), Throws.InstanceOf<RequestFailedException>());
        Assert.Multiple(async () =>
        {
            Assert.That(proxy.CutConnections, Is.EqualTo(1), "the first attempt reached the proxy and was cut");
            Assert.That(await exists(), Is.False, "the cut attempt created nothing");
        });

        await resource.EnsureAsync(CancellationToken.None);

        Assert.That(await exists(), Is.True);
    }

    private static async Task<string> ConnectionStringAsync() => (await Azurite.InstanceAsync()).ConnectionString;

    private static T NoRetries<T>(T options)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 0;
        return options;
    }
}
