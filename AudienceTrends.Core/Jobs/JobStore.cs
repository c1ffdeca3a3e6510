using System.Net;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The job table: one partition per account (its id), so an account's point reads, list and counts stay in its own
/// partition; rows written before accounts existed stay in <see cref="ExportJob.LegacyPartition"/> and belong to
/// <c>Accounts:LegacyAccount</c>. ETag-conditional updates; newest-first listing (ids count down).
/// </summary>
public sealed class JobStore
{
    private readonly TableClient _table;
    private readonly StorageResource _created;
    private readonly DestinationKinds _kinds;
    private readonly AccountStore _accounts;
    private readonly AccountId _legacyAccount;

    public JobStore(StorageClients storage, IOptions<JobsOptions> options, IOptions<AccountsOptions> accounts, AccountStore accountStore, DestinationKinds kinds)
    {
        _kinds = kinds;
        _accounts = accountStore;
        _legacyAccount = accounts.Value.LegacyAccountId;
        _table = storage.Tables.GetTableClient(options.Value.TableName);
        _created = StorageResource.For(_table);
    }

    /// <summary>Adds the job's row and its <see cref="ActiveJobIndex"/> marker in one transaction (409 when the id exists).</summary>
    public async Task AddAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var responses = await _table.SubmitTransactionAsync(
            [new TableTransactionAction(TableTransactionActionType.Add, job.ToRow()),
             new TableTransactionAction(TableTransactionActionType.Add, ActiveJobIndex.Marker(job))], cancellationToken);
        job.ETag = responses.Value[0].Headers.ETag ?? default;
        job.StoredStatus = job.Status;
    }

    /// <summary>The account's job <paramref name="id"/>; null when it has none of that id (whoever else may).</summary>
    public async Task<ExportJob?> GetAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(id))
        {
            return null;
        }

        await _created.EnsureAsync(cancellationToken);
        foreach (var partition in PartitionsOf(account))
        {
            var response = await _table.GetEntityIfExistsAsync<ExportJobRow>(partition, id, cancellationToken: cancellationToken);
            if (response.HasValue && response.Value is { } row)
            {
                return await MigratedAsync(FromRow(row), cancellationToken);
            }
        }

        return null;
    }

    /// <summary>
    /// Saves <paramref name="job"/> if nobody changed it since it was read; false when somebody did (another worker
    /// claimed it, or took it over). On success the job carries the new ETag.
    /// </summary>
    public async Task<bool> TryUpdateAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        try
        {
            if (job.IsLegacyRow || job.StoredStatus == job.Status)
            {
                var response = await _table.UpdateEntityAsync(job.ToRow(), job.ETag, TableUpdateMode.Replace, cancellationToken);
                job.ETag = response.Headers.ETag ?? default;
            }
            else
            {
                // A new status: the row and its marker change together, or neither does.
                var responses = await _table.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.UpdateReplace, job.ToRow(), job.ETag),
                     new TableTransactionAction(TableTransactionActionType.UpsertReplace, ActiveJobIndex.Marker(job))], cancellationToken);
                job.ETag = responses.Value[0].Headers.ETag ?? default;
            }

            job.StoredStatus = job.Status;
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>A page of the account's jobs, newest first, filtered in the table service.</summary>
    public async Task<JobPage> ListAsync(AccountId account, JobListQuery query, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = PartitionFilter(account) + " and " + ActiveJobIndex.JobsOnly;
        if (query.JobName is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"JobName eq {query.JobName}");
        }

        if (query.Status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {query.Status}");
        }

        if (query.ScheduleId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"ScheduleId eq {query.ScheduleId}");
        }

        foreach (var (op, value) in query.StartedAt)
        {
            // op comes from a fixed list (gt, ge, lt, le); the value is formatted by the SDK.
            filter += $" and StartedAt {op} " + TableClient.CreateQueryFilter($"{value}");
        }

        await foreach (var page in _table.QueryAsync<ExportJobRow>(filter, query.Limit, cancellationToken: cancellationToken)
                           .AsPages(query.ContinuationToken, query.Limit))
        {
            var jobs = new List<ExportJob>(page.Values.Count);
            foreach (var row in page.Values)
            {
                jobs.Add(await MigratedAsync(FromRow(row), cancellationToken));
            }

            return new JobPage(jobs, page.ContinuationToken);
        }

        return new JobPage([], null);
    }

    /// <summary>
    /// How many of the account's jobs are Pending or Processing (<paramref name="processingOnly"/>: Processing),
    /// counting up to <paramref name="atMost"/> (the limit being checked): one range query of the account's
    /// <see cref="ActiveJobIndex"/> markers, whatever the number of finished jobs it keeps.
    /// </summary>
    public async Task<int> CountActiveAsync(AccountId account, int atMost, bool processingOnly, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = processingOnly
            ? ActiveJobIndex.Filter(account.Value, JobStatus.Processing)
            : ActiveJobIndex.Filter(account.Value, JobStatus.Pending, JobStatus.Processing);
        var count = 0;
        await foreach (var _ in _table.QueryAsync<TableEntity>(filter, maxPerPage: atMost, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (++count >= atMost)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>Jobs created before <paramref name="cutoff"/>, of every account (each partition a key-range query).</summary>
    public IAsyncEnumerable<ExportJob> ListCreatedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        EachPartitionAsync(partition => TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey gt {JobIds.UpperBoundFor(cutoff)}") + " and " + ActiveJobIndex.JobsOnly, cancellationToken);

    /// <summary>Pending or Processing jobs in <paramref name="status"/>, of every account, for recovery sweeps.</summary>
    public IAsyncEnumerable<ExportJob> ListByStatusAsync(string status, CancellationToken cancellationToken) =>
        ActiveAsync(status, _ => true, cancellationToken);

    /// <summary>
    /// Processing jobs whose lease ran out in [<paramref name="from"/>, <paramref name="until"/>) (no lower bound when
    /// <paramref name="from"/> is null), of every account: their worker died or gave up.
    /// </summary>
    public IAsyncEnumerable<ExportJob> ListLeaseExpiredAsync(DateTimeOffset? from, DateTimeOffset until, CancellationToken cancellationToken) =>
        ActiveAsync(JobStatus.Processing, job => job.LeaseUntil < until && (from is not { } lower || job.LeaseUntil >= lower), cancellationToken);

    /// <summary>Jobs whose webhook event is still Pending and was due before <paramref name="cutoff"/>, of every account.</summary>
    public IAsyncEnumerable<ExportJob> ListWebhooksDueBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        EachPartitionAsync(partition => TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and WebhookStatus eq {ExportJob.WebhookPending} and WebhookDueAt lt {cutoff}"), cancellationToken);

    /// <summary>Deletes the <see cref="ActiveJobIndex"/> markers of jobs that ended (their last transition left them); returns how many.</summary>
    public async Task<int> DeleteFinishedMarkersAsync(CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var deleted = 0;
        foreach (var partition in await AccountPartitionsAsync(cancellationToken))
        {
            var filter = ActiveJobIndex.Filter(partition, JobStatus.Done, JobStatus.Failed, JobStatus.Cancelled);
            await foreach (var marker in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                try
                {
                    await _table.DeleteEntityAsync(marker.PartitionKey, marker.RowKey, marker.ETag, cancellationToken);
                    deleted++;
                }
                catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed)
                {
                    // ETag-conditional: a save changed the marker since it was read, so it is that save's to keep.
                }
            }
        }

        return deleted;
    }

    public async Task DeleteAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _table.DeleteEntityAsync(job.RowPartition, job.Id, ETag.All, cancellationToken);
        if (!job.IsLegacyRow)
        {
            await _table.DeleteEntityAsync(ActiveJobIndex.Marker(job), ETag.All, cancellationToken);
        }
    }

    /// <summary>
    /// Maintenance's queries, run per partition: every account's (from the accounts table, disabled ones included,
    /// since their jobs still end, expire and send events) and the legacy one. Each is a query of one partition, so
    /// a sweep costs one request per account (plus pages) and never a scan across partitions.
    /// </summary>
    private async IAsyncEnumerable<ExportJob> EachPartitionAsync(
        Func<string, string> filterFor, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        foreach (var partition in (await AccountPartitionsAsync(cancellationToken)).Append(ExportJob.LegacyPartition))
        {
            await foreach (var row in _table.QueryAsync<ExportJobRow>(filterFor(partition), cancellationToken: cancellationToken))
            {
                yield return FromRow(row);
            }
        }
    }

    /// <summary>
    /// The jobs in <paramref name="status"/> (Pending or Processing) that <paramref name="matches"/>: per account, its
    /// markers of either active status, then a point read of each job, whose row is the truth (a row changed by hand
    /// in the portal is still found); the legacy partition, which has no markers, by a query of its rows.
    /// </summary>
    private async IAsyncEnumerable<ExportJob> ActiveAsync(
        string status, Func<ExportJob, bool> matches, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        foreach (var partition in await AccountPartitionsAsync(cancellationToken))
        {
            await foreach (var marker in _table.QueryAsync<TableEntity>(ActiveJobIndex.Filter(partition, JobStatus.Pending, JobStatus.Processing), cancellationToken: cancellationToken))
            {
                var row = await _table.GetEntityIfExistsAsync<ExportJobRow>(partition, ActiveJobIndex.JobIdOf(marker), cancellationToken: cancellationToken);
                if (row.HasValue && row.Value is { } found && found.Status == status && FromRow(found) is var job && matches(job))
                {
                    yield return job;
                }
            }
        }

        var legacy = TableClient.CreateQueryFilter($"PartitionKey eq {ExportJob.LegacyPartition} and Status eq {status}");
        await foreach (var row in _table.QueryAsync<ExportJobRow>(legacy, cancellationToken: cancellationToken))
        {
            if (FromRow(row) is var job && matches(job))
            {
                yield return job;
            }
        }
    }

    private async Task<IEnumerable<string>> AccountPartitionsAsync(CancellationToken cancellationToken) =>
        (await _accounts.ListAsync(cancellationToken)).Select(a => a.Id.Value);

    /// <summary>Where the account's rows are: its partition, and for the legacy account the old one too.</summary>
    private IEnumerable<string> PartitionsOf(AccountId account) =>
        account == _legacyAccount ? [account.Value, ExportJob.LegacyPartition] : [account.Value];

    private string PartitionFilter(AccountId account) =>
        account == _legacyAccount
            ? TableClient.CreateQueryFilter($"(PartitionKey eq {account.Value} or PartitionKey eq {ExportJob.LegacyPartition})")
            : TableClient.CreateQueryFilter($"PartitionKey eq {account.Value}");

    private ExportJob FromRow(ExportJobRow row) => ExportJob.FromRow(row, _legacyAccount);

    /// <summary>
    /// A row written before destination settings were kept as JSON is read again whole and its kind reads the old
    /// per-field columns; the job's next save stores the current shape. Such rows are at most a retention period old.
    /// </summary>
    private async Task<ExportJob> MigratedAsync(ExportJob job, CancellationToken cancellationToken)
    {
        if (job.DestinationSettings is not null || !_kinds.TryFind(job.DestinationType, out var kind) || kind is not IReadsLegacyRows legacy)
        {
            return job;
        }

        var row = await _table.GetEntityAsync<TableEntity>(job.RowPartition, job.Id, cancellationToken: cancellationToken);
        job.MigrateDestination(legacy.ReadLegacyRow(row.Value.AsReadOnly()));
        return job;
    }
}

public sealed record JobPage(IReadOnlyList<ExportJob> Jobs, string? ContinuationToken);
