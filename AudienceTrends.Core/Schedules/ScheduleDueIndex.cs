using System.Net;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The schedules by next run, so a scheduler pass reads only the schedules that are due, never all of them: one row
/// per schedule with a next run, in the partition of that run's UTC minute (<c>due-yyyyMMddHHmm</c>), row key
/// <c>&lt;account&gt;|&lt;scheduleId&gt;</c>. A pass (<see cref="DueAsync"/>) queries the partitions of the minutes
/// from <c>now - lookBack</c> to <c>now</c>: lookBack / 1 minute + 1 partition queries whatever the number of
/// schedules (a 10-minute look-back: 11 queries per pass), each returning only its minute's rows (one page holds 1,000).
/// <para>
/// A row is a hint, not the truth: the schedule's own <see cref="ScheduleRecord.NextRun"/> is. A row can outlive its
/// schedule's move (a crash between adding the new row and deleting the old, or an update that lost its race), so
/// the scheduler checks each row against the schedule and removes (<see cref="RemoveAsync"/>) a row that disagrees.
/// </para>
/// </summary>
public sealed class ScheduleDueIndex
{
    private readonly TableClient _table;
    private readonly StorageResource _created;

    /// <param name="tableName">The index table; another name only for tests.</param>
    public ScheduleDueIndex(StorageClients storage, string tableName = ScheduleTables.DueIndex)
    {
        _table = storage.Tables.GetTableClient(tableName);
        _created = StorageResource.For(_table);
    }

    /// <summary>
    /// Moves the schedule's row from <paramref name="oldNextRun"/> to <paramref name="newNextRun"/> (null: it has none,
    /// paused or suspended). The new row is written first, so a crash in between leaves a stale row, never none.
    /// </summary>
    public async Task SetAsync(AccountId account, string scheduleId, DateTimeOffset? oldNextRun, DateTimeOffset? newNextRun, CancellationToken cancellationToken)
    {
        if (newNextRun is { } next)
        {
            await AddAsync(account, scheduleId, next, cancellationToken);
        }

        await LeaveAsync(account, scheduleId, oldNextRun, newNextRun, cancellationToken);
    }

    /// <summary>
    /// The second half of a move, once the new row is written (and the schedule saved): deletes the row of
    /// <paramref name="oldNextRun"/> unless <paramref name="newNextRun"/> is in the same minute, hence the same row.
    /// </summary>
    public async Task LeaveAsync(AccountId account, string scheduleId, DateTimeOffset? oldNextRun, DateTimeOffset? newNextRun, CancellationToken cancellationToken)
    {
        if (oldNextRun is { } old && (newNextRun is null || ScheduleTables.Minute(old) != ScheduleTables.Minute(newNextRun.Value)))
        {
            await RemoveAsync(account, scheduleId, old, cancellationToken);
        }
    }

    /// <summary>Writes (or rewrites) the schedule's row for <paramref name="nextRun"/>.</summary>
    public async Task AddAsync(AccountId account, string scheduleId, DateTimeOffset nextRun, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = new ScheduleDueRow
        {
            PartitionKey = ScheduleTables.DuePartition(nextRun),
            RowKey = RowKey(account, scheduleId),
            NextRun = nextRun.ToUniversalTime(),
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Deletes the schedule's row in the minute of <paramref name="nextRun"/>; nothing when it has none there.</summary>
    public async Task RemoveAsync(AccountId account, string scheduleId, DateTimeOffset nextRun, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        try
        {
            await _table.DeleteEntityAsync(ScheduleTables.DuePartition(nextRun), RowKey(account, scheduleId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            // Already gone: what this call was for.
        }
    }

    /// <summary>
    /// The schedules whose next run is in [the minute of <paramref name="now"/> - <paramref name="lookBack"/>,
    /// <paramref name="now"/>], oldest first; a run later in the current minute is not due yet. One partition query per
    /// minute of the range (see the class summary).
    /// </summary>
    public async Task<IReadOnlyList<DueSchedule>> DueAsync(DateTimeOffset now, TimeSpan lookBack, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookBack, TimeSpan.Zero);
        await _created.EnsureAsync(cancellationToken);
        var due = new List<DueSchedule>();
        for (var minute = ScheduleTables.Minute(now - lookBack); minute <= now; minute = minute.AddMinutes(1))
        {
            var partition = ScheduleTables.DuePartition(minute);
            await foreach (var row in _table.QueryAsync<ScheduleDueRow>(r => r.PartitionKey == partition, cancellationToken: cancellationToken))
            {
                if (row.NextRun <= now)
                {
                    due.Add(FromRow(row));
                }
            }
        }

        due.Sort((a, b) => a.NextRun.CompareTo(b.NextRun));
        return due;
    }

    /// <summary>The minute the last completed pass read up to (a row of its own partition); null before the first pass.</summary>
    public async Task<DateTimeOffset?> GetCursorAsync(CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<ScheduleDueRow>(CursorPartition, CursorPartition, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.NextRun : null;
    }

    /// <summary>Records that every minute before <paramref name="minute"/> has been read by a completed pass.</summary>
    public async Task SetCursorAsync(DateTimeOffset minute, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = new ScheduleDueRow { PartitionKey = CursorPartition, RowKey = CursorPartition, NextRun = ScheduleTables.Minute(minute) };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    // Not of the form due-yyyyMMddHHmm, so no minute's query reads it.
    private const string CursorPartition = "cursor";

    private static string RowKey(AccountId account, string scheduleId)
    {
        ScheduleTables.ThrowIfInvalidId(scheduleId);
        return account.Value + "|" + scheduleId;
    }

    private static DueSchedule FromRow(ScheduleDueRow row)
    {
        var separator = row.RowKey.IndexOf('|', StringComparison.Ordinal);
        if (separator < 0 || !AccountId.TryParse(row.RowKey[..separator], out var account))
        {
            throw new InvalidDataException($"Due-index row {row.PartitionKey}/{row.RowKey} has no account|schedule key.");
        }

        return new DueSchedule(account, row.RowKey[(separator + 1)..], row.NextRun);
    }
}

/// <summary>A schedule a pass found due: its account, id and the next run the index holds for it (UTC).</summary>
public sealed record DueSchedule(AccountId Account, string ScheduleId, DateTimeOffset NextRun);

/// <summary>A due-index row (<see cref="ScheduleDueIndex"/>).</summary>
public sealed class ScheduleDueRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The exact next run (the partition holds only its minute).</summary>
    public DateTimeOffset NextRun { get; set; }
}
