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

    public async Task AddAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _table.AddEntityAsync(job.ToRow(), cancellationToken);
        job.ETag = response.Headers.ETag ?? default;
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
            var response = await _table.UpdateEntityAsync(job.ToRow(), job.ETag, TableUpdateMode.Replace, cancellationToken);
            job.ETag = response.Headers.ETag ?? default;
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
        var filter = PartitionFilter(account);
        if (query.JobName is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"JobName eq {query.JobName}");
        }

        if (query.Status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {query.Status}");
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
    /// counting up to <paramref name="atMost"/> (the limit being checked): one query of the account's partition,
    /// reading the key column only.
    /// </summary>
    public async Task<int> CountActiveAsync(AccountId account, int atMost, bool processingOnly, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = PartitionFilter(account) + " and " + (processingOnly
            ? TableClient.CreateQueryFilter($"Status eq {JobStatus.Processing}")
            : TableClient.CreateQueryFilter($"(Status eq {JobStatus.Pending} or Status eq {JobStatus.Processing})"));
        var count = 0;
        await foreach (var _ in _table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
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
        EachPartitionAsync(partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {JobIds.UpperBoundFor(cutoff)}"), cancellationToken);

    /// <summary>Jobs in <paramref name="status"/>, of every account, for recovery sweeps.</summary>
    public IAsyncEnumerable<ExportJob> ListByStatusAsync(string status, CancellationToken cancellationToken) =>
        EachPartitionAsync(partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Status eq {status}"), cancellationToken);

    /// <summary>
    /// Processing jobs whose lease ran out in [<paramref name="from"/>, <paramref name="until"/>) (no lower bound when
    /// <paramref name="from"/> is null), of every account: their worker died or gave up. The filter runs in the table
    /// service, which returns those rows only.
    /// </summary>
    public IAsyncEnumerable<ExportJob> ListLeaseExpiredAsync(DateTimeOffset? from, DateTimeOffset until, CancellationToken cancellationToken) =>
        EachPartitionAsync(partition =>
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition} and Status eq {JobStatus.Processing} and LeaseUntil lt {until}");
            return from is { } lower ? filter + " and " + TableClient.CreateQueryFilter($"LeaseUntil ge {lower}") : filter;
        }, cancellationToken);

    /// <summary>Jobs whose webhook event is still Pending and was due before <paramref name="cutoff"/>, of every account.</summary>
    public IAsyncEnumerable<ExportJob> ListWebhooksDueBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        EachPartitionAsync(partition => TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and WebhookStatus eq {ExportJob.WebhookPending} and WebhookDueAt lt {cutoff}"), cancellationToken);

    public async Task DeleteAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _table.DeleteEntityAsync(job.RowPartition, job.Id, ETag.All, cancellationToken);
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
        var partitions = (await _accounts.ListAsync(cancellationToken)).Select(a => a.Id.Value).Append(ExportJob.LegacyPartition);
        foreach (var partition in partitions)
        {
            await foreach (var row in _table.QueryAsync<ExportJobRow>(filterFor(partition), cancellationToken: cancellationToken))
            {
                yield return FromRow(row);
            }
        }
    }

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
