using AudienceTrends.Core.Schedules;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The three schedule tables under names of the test's own on the run's Azurite, the stores over them, and the raw
/// tables for reading rows as an operator would. <see cref="DeleteAsync"/> deletes the tables.
/// </summary>
internal sealed class ScheduleStorageFixture
{
    private ScheduleStorageFixture(StorageClients storage, string suffix)
    {
        Storage = storage;
        SchedulesTable = storage.Tables.GetTableClient("sch" + suffix);
        ClaimsTable = storage.Tables.GetTableClient("schslots" + suffix);
        DueTable = storage.Tables.GetTableClient("schdue" + suffix);
        Due = new ScheduleDueIndex(storage, DueTable.Name);
        Claims = new ScheduleSlotClaims(storage, ClaimsTable.Name);
        Store = new ScheduleStore(storage, Due, SchedulesTable.Name);
    }

    public StorageClients Storage { get; }

    public TableClient SchedulesTable { get; }

    public TableClient ClaimsTable { get; }

    public TableClient DueTable { get; }

    public ScheduleDueIndex Due { get; }

    public ScheduleSlotClaims Claims { get; }

    public ScheduleStore Store { get; }

    public static async Task<ScheduleStorageFixture> CreateAsync()
    {
        var storage = new StorageClients(Options.Create(new StorageOptions { ConnectionString = (await Azurite.InstanceAsync()).ConnectionString }));
        return new ScheduleStorageFixture(storage, Guid.NewGuid().ToString("N")[..12]);
    }

    public async Task DeleteAsync()
    {
        foreach (var table in new[] { SchedulesTable, ClaimsTable, DueTable })
        {
            await Storage.Tables.DeleteTableAsync(table.Name);
        }
    }
}
