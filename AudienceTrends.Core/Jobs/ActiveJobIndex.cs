using Azure.Data.Tables;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// One small marker row per job of an account's partition, kept by <see cref="JobStore"/> in the same table
/// transaction as the job row whenever the job's status changes: row key <c>~active~&lt;jobId&gt;</c> (after every job
/// id, which are hex digits), one column, <c>Status</c>. What counts or sweeps the jobs that are still running reads
/// this key range, not the account's whole history: the per-account limits and maintenance's recovery sweeps stay one
/// short range query however many finished jobs an account keeps. A final job's marker is deleted by maintenance.
/// </summary>
internal static class ActiveJobIndex
{
    private const string Prefix = "~active~";

    /// <summary>Job rows only: every job id sorts before the markers.</summary>
    public const string JobsOnly = "RowKey lt '~'";

    public static TableEntity Marker(ExportJob job) =>
        new(job.RowPartition, Prefix + job.Id) { ["Status"] = job.Status };

    public static string JobIdOf(TableEntity marker) => marker.RowKey[Prefix.Length..];

    /// <summary>The markers of <paramref name="partition"/> whose status is one of <paramref name="statuses"/>.</summary>
    public static string Filter(string partition, params string[] statuses)
    {
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {Prefix} and RowKey lt {Prefix + "~"}");
        return statuses.Length == 0
            ? range
            : range + " and (" + string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")";
    }
}
