using System.Net;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>The job table: point reads by id, ETag-conditional updates, newest-first listing.</summary>
public sealed class JobStore
{
    private readonly TableClient _table;
    private readonly StorageResource _created;
    private readonly DestinationKinds _kinds;

    public JobStore(StorageClients storage, IOptions<JobsOptions> options, DestinationKinds kinds)
    {
        _kinds = kinds;
        _table = storage.Tables.GetTableClient(options.Value.TableName);
        _created = StorageResource.For(_table);
    }

    public async Task AddAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _table.AddEntityAsync(job.ToRow(), cancellationToken);
        job.ETag = response.Headers.ETag ?? default;
    }

    public async Task<ExportJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(id))
        {
            return null;
        }

        await _created.EnsureAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<ExportJobRow>(ExportJob.Partition, id, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } row ? await MigratedAsync(ExportJob.FromRow(row), cancellationToken) : null;
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

    public async Task<JobPage> ListAsync(JobListQuery query, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ExportJob.Partition}");
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
                jobs.Add(await MigratedAsync(ExportJob.FromRow(row), cancellationToken));
            }

            return new JobPage(jobs, page.ContinuationToken);
        }

        return new JobPage([], null);
    }

    /// <summary>Jobs created before <paramref name="cutoff"/>, oldest last (ids count down).</summary>
    public async IAsyncEnumerable<ExportJob> ListCreatedBeforeAsync(
        DateTimeOffset cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var bound = JobIds.UpperBoundFor(cutoff);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ExportJob.Partition} and RowKey gt {bound}");
        await foreach (var job in QueryAsync(filter, cancellationToken))
        {
            yield return job;
        }
    }

    /// <summary>Jobs in <paramref name="status"/>, for recovery sweeps.</summary>
    public async IAsyncEnumerable<ExportJob> ListByStatusAsync(
        string status, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ExportJob.Partition} and Status eq {status}");
        await foreach (var job in QueryAsync(filter, cancellationToken))
        {
            yield return job;
        }
    }

    /// <summary>
    /// Processing jobs whose lease ran out in [<paramref name="from"/>, <paramref name="until"/>) (no lower bound when
    /// <paramref name="from"/> is null): their worker died or gave up. The filter runs in the table service, which
    /// returns those rows only.
    /// </summary>
    public async IAsyncEnumerable<ExportJob> ListLeaseExpiredAsync(
        DateTimeOffset? from, DateTimeOffset until, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ExportJob.Partition} and Status eq {JobStatus.Processing} and LeaseUntil lt {until}");
        if (from is { } lower)
        {
            filter += " and " + TableClient.CreateQueryFilter($"LeaseUntil ge {lower}");
        }

        await foreach (var job in QueryAsync(filter, cancellationToken))
        {
            yield return job;
        }
    }

    /// <summary>Jobs whose webhook event is still Pending and was due before <paramref name="cutoff"/>.</summary>
    public async IAsyncEnumerable<ExportJob> ListWebhooksDueBeforeAsync(
        DateTimeOffset cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ExportJob.Partition} and WebhookStatus eq {ExportJob.WebhookPending} and WebhookDueAt lt {cutoff}");
        await foreach (var job in QueryAsync(filter, cancellationToken))
        {
            yield return job;
        }
    }

    private async IAsyncEnumerable<ExportJob> QueryAsync(
        string filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<ExportJobRow>(filter, cancellationToken: cancellationToken))
        {
            yield return ExportJob.FromRow(row);
        }
    }

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

        var row = await _table.GetEntityAsync<TableEntity>(ExportJob.Partition, job.Id, cancellationToken: cancellationToken);
        job.MigrateDestination(legacy.ReadLegacyRow(row.Value.AsReadOnly()));
        return job;
    }

    public async Task DeleteAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _table.DeleteEntityAsync(ExportJob.Partition, job.Id, ETag.All, cancellationToken);
    }
}

public sealed record JobPage(IReadOnlyList<ExportJob> Jobs, string? ContinuationToken);
