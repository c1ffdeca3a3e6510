using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// Who runs a slot: claiming (account, schedule, slot) is a conditional insert of one row, so of any number of
/// scheduler instances racing for a slot exactly one wins; the row holds the slot's derived job id
/// (<see cref="ScheduleSlot.JobId"/>), so an instance that won and crashed before queueing the job, and the instance
/// that retries, both create that same job. Partition = account id, row key = <c>&lt;scheduleId&gt;|&lt;yyyyMMddTHHmmZ&gt;</c>:
/// a schedule's claims list in slot order within its account's partition. One storage call per claim won; a lost
/// claim costs a second (the read of the winner's row).
/// </summary>
public sealed class ScheduleSlotClaims
{
    private readonly TableClient _table;
    private readonly StorageResource _created;

    /// <param name="tableName">The claims table; another name only for tests.</param>
    public ScheduleSlotClaims(StorageClients storage, string tableName = ScheduleTables.SlotClaims)
    {
        _table = storage.Tables.GetTableClient(tableName);
        _created = StorageResource.For(_table);
    }

    /// <summary>
    /// Claims <paramref name="slot"/> (a whole minute). <c>Won</c> is true for the one caller whose insert made the
    /// claim, false for every other; <c>JobId</c> is the claimed slot's job id either way.
    /// </summary>
    public async Task<(bool Won, string JobId)> TryClaimAsync(ScheduleSlot slot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var row = new ScheduleSlotClaimRow
        {
            PartitionKey = slot.Account.Value,
            RowKey = RowKey(slot.ScheduleId, slot.Time),
            JobId = slot.JobId,
            ClaimedAt = now,
        };
        await _created.EnsureAsync(cancellationToken);
        if (await _table.TryAddEntityAsync(row, cancellationToken))
        {
            return (true, row.JobId);
        }

        // The winner's row: it exists (claims are never deleted while their jobs can be), so its job id is the one to report.
        var winner = await GetAsync(slot.Account, slot.ScheduleId, slot.Time, cancellationToken)
            ?? throw new InvalidOperationException($"The claim of slot {row.RowKey} conflicted but its row is gone.");
        return (false, winner);
    }

    /// <summary>The job id of the account's claimed slot, or null when nobody claimed it.</summary>
    public async Task<string?> GetAsync(AccountId account, string scheduleId, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<ScheduleSlotClaimRow>(
            account.Value, RowKey(scheduleId, slot), cancellationToken: cancellationToken);
        return response.HasValue ? response.Value!.JobId : null;
    }

    private static string RowKey(string scheduleId, DateTimeOffset slot)
    {
        ScheduleTables.ThrowIfInvalidId(scheduleId);
        return scheduleId + "|" + ScheduleTables.SlotKey(slot);
    }
}

/// <summary>A claimed slot's row (<see cref="ScheduleSlotClaims"/>).</summary>
public sealed class ScheduleSlotClaimRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The slot's job id, derived from the account, schedule and slot.</summary>
    public string JobId { get; set; } = "";

    /// <summary>When the winning scheduler claimed it.</summary>
    public DateTimeOffset ClaimedAt { get; set; }
}
