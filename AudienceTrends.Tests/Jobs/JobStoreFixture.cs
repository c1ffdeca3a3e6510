using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Jobs;

/// <summary>A job table of the test's own on the run's Azurite, and the app's <see cref="JobStore"/> over it.</summary>
internal sealed class JobStoreFixture
{
    private JobStoreFixture(JobStore store, TableClient table) => (Store, Table) = (store, table);

    public JobStore Store { get; }

    /// <summary>The same table, for reading and writing raw rows as an operator or older code would.</summary>
    public TableClient Table { get; }

    public static async Task<JobStoreFixture> CreateAsync()
    {
        var storage = new StorageClients(Options.Create(new StorageOptions { ConnectionString = (await Azurite.InstanceAsync()).ConnectionString }));
        var options = new JobsOptions { TableName = "jobs" + Guid.NewGuid().ToString("N")[..12] };
        var table = storage.Tables.GetTableClient(options.TableName);
        await table.CreateAsync();
        return new JobStoreFixture(TestStores.Jobs(storage, options), table);
    }

    public Task DeleteAsync() => Table.DeleteAsync();
}
