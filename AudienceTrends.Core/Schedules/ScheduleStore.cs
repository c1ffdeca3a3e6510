using System.Net;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The schedule table: one partition per account (its id), row key = schedule id, so an account's reads and list stay
/// in its own partition and another account's id finds nothing. ETag-conditional updates. Keeps the due index
/// (<see cref="ScheduleDueIndex"/>) following each schedule's <see cref="ScheduleRecord.NextRun"/>: the new due row is
/// written before the schedule and the old one deleted after it, so a crash between leaves a stale due row (which the
/// scheduler checks against the schedule and drops), never a schedule that no pass finds.
/// </summary>
public sealed class ScheduleStore
{
    /// <summary>Concurrent passes and run outcomes can change a schedule between read and write; this many tries outlast them.</summary>
    public const int MaxTries = 5;

    private readonly TableClient _table;
    private readonly StorageResource _created;
    private readonly ScheduleDueIndex _due;

    /// <param name="tableName">The schedule table; another name only for tests.</param>
    public ScheduleStore(StorageClients storage, ScheduleDueIndex due, string tableName = ScheduleTables.Schedules)
    {
        _due = due;
        _table = storage.Tables.GetTableClient(tableName);
        _created = StorageResource.For(_table);
    }

    /// <summary>Adds the schedule (and its due row); false, adding no schedule, when the account has one of that id.</summary>
    public async Task<bool> TryAddAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        if (schedule.NextRun is { } next)
        {
            await _due.AddAsync(schedule.Account, schedule.Id, next, cancellationToken);
        }

        try
        {
            var response = await _table.AddEntityAsync(schedule.ToRow(), cancellationToken);
            schedule.ETag = response.Headers.ETag ?? default;
            schedule.StoredNextRun = schedule.NextRun;
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            // The due row just written may be the existing schedule's own (same id, same minute): leave it, the
            // scheduler drops it if it disagrees with that schedule.
            return false;
        }
    }

    /// <summary>The account's schedule <paramref name="id"/>; null when it has none of that id (whoever else may).</summary>
    public async Task<ScheduleRecord?> GetAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        if (!ScheduleTables.IsValidId(id))
        {
            return null;
        }

        await _created.EnsureAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<ScheduleRow>(account.Value, id, cancellationToken: cancellationToken);
        return response.HasValue ? ScheduleRecord.FromRow(response.Value!) : null;
    }

    /// <summary>The account's schedules, by id.</summary>
    public async Task<IReadOnlyList<ScheduleRecord>> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var partition = account.Value;
        var schedules = new List<ScheduleRecord>();
        await foreach (var row in _table.QueryAsync<ScheduleRow>(r => r.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            schedules.Add(ScheduleRecord.FromRow(row));
        }

        return schedules;
    }

    /// <summary>
    /// Every account's schedules whose next run is at or before <paramref name="now"/>, read from the schedule table
    /// itself: what a scheduler pass reads after an outage longer than the due index's recovery window.
    /// </summary>
    public async Task<IReadOnlyList<DueSchedule>> ListDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var due = new List<DueSchedule>();
        await foreach (var row in _table.QueryAsync<ScheduleRow>(TableClient.CreateQueryFilter($"NextRun le {now}"), select: ["PartitionKey", "RowKey", "NextRun"], cancellationToken: cancellationToken))
        {
            due.Add(new DueSchedule(AccountId.Parse(row.PartitionKey), row.RowKey, row.NextRun!.Value));
        }

        return due;
    }

    /// <summary>
    /// Saves <paramref name="schedule"/> if nobody changed (or deleted) it since it was read; false when somebody did.
    /// On success it carries the new ETag and the due index follows a changed next run.
    /// </summary>
    public async Task<bool> TryUpdateAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var moved = schedule.NextRun != schedule.StoredNextRun;
        if (moved && schedule.NextRun is { } next)
        {
            await _due.AddAsync(schedule.Account, schedule.Id, next, cancellationToken);
        }

        try
        {
            var response = await _table.UpdateEntityAsync(schedule.ToRow(), schedule.ETag, TableUpdateMode.Replace, cancellationToken);
            schedule.ETag = response.Headers.ETag ?? default;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }

        if (moved)
        {
            await _due.LeaveAsync(schedule.Account, schedule.Id, schedule.StoredNextRun, schedule.NextRun, cancellationToken);
        }

        schedule.StoredNextRun = schedule.NextRun;
        return true;
    }

    /// <summary>
    /// Applies <paramref name="change"/> (a transition of <see cref="ScheduleRecord"/>; false when the schedule's state
    /// no longer calls for it) and saves it ETag-conditionally, reading the schedule again and re-applying when somebody
    /// changed it in between. The schedule as saved or last read; null once it is deleted.
    /// </summary>
    public async Task<ScheduleRecord?> ApplyAsync(ScheduleRecord schedule, Func<ScheduleRecord, bool> change, CancellationToken cancellationToken)
    {
        var current = schedule;
        for (var tries = 1; ; tries++)
        {
            if (!change(current) || await TryUpdateAsync(current, cancellationToken))
            {
                return current;
            }

            if (tries == MaxTries)
            {
                throw new InvalidOperationException($"Schedule {schedule.Id} kept changing while it was being updated.");
            }

            if (await GetAsync(schedule.Account, schedule.Id, cancellationToken) is not { } changed)
            {
                return null;
            }

            current = changed;
        }
    }

    /// <summary>
    /// Deletes the account's schedule <paramref name="id"/> (its encrypted secrets with it) and then its due row; false
    /// when it has none. Its slot claims and past jobs stay.
    /// </summary>
    public async Task<bool> DeleteAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(account, id, cancellationToken) is not { } schedule)
        {
            return false;
        }

        try
        {
            await _table.DeleteEntityAsync(account.Value, id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }

        if (schedule.NextRun is { } next)
        {
            await _due.RemoveAsync(account, id, next, cancellationToken);
        }

        return true;
    }
}
