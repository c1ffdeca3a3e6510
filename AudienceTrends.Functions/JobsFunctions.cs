using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>The jobs resource: <c>GET /v2/jobs/{id}</c>, <c>GET /v2/jobs</c> and <c>POST /v2/jobs/{id}/cancel</c>.</summary>
public sealed class JobsFunctions(ApiKeyAuthenticator authenticator, JobStore jobs, JobViews views, JobCancellation cancellation)
{
    public const string ContinuationHeader = "X-Continuation-Token";

    public static string JobPath(string id) => $"/v2/jobs/{id}";

    [Function(nameof(GetJob))]
    public Task<IActionResult> GetJob(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await jobs.GetAsync(account, id, cancellationToken) is { } job
                ? TypedResults.Ok(await views.ToViewAsync(job, cancellationToken)).Action()
                : JobNotFound(id));

    /// <summary>Another account's job answers exactly as a job that does not exist.</summary>
    private static IActionResult JobNotFound(string id) =>
        Problems.Status(StatusCodes.Status404NotFound, "Job not found", $"There is no job with id \"{id}\".");

    /// <summary>200 with the job when it is Cancelled now (or was); 202 while its worker stops; 409 when it already ended.</summary>
    [Function(nameof(CancelJob))]
    public Task<IActionResult> CancelJob(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/jobs/{id}/cancel")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => CancelAsync(account, id, cancellationToken));

    private async Task<IActionResult> CancelAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        var (result, job) = await cancellation.CancelAsync(account, id, cancellationToken);
        switch (result)
        {
            case CancelResult.NotFound:
                return JobNotFound(id);
            case CancelResult.AlreadyFinished:
                var detail = job!.CancelRequestedAt is not null && job.Status == JobStatus.Done
                    ? $"Job {job.Id} finished before the cancel took effect: it is Done and its file stays at the destination."
                    : $"Job {job.Id} is already {job.Status}; only Pending or Processing jobs can be cancelled.";
                return Problems.Status(StatusCodes.Status409Conflict, "Job already finished", detail,
                    new Dictionary<string, object?> { ["jobStatus"] = job.Status });
        }

        var view = await views.ToViewAsync(job!, cancellationToken);
        return result == CancelResult.Requested
            ? TypedResults.Accepted(JobPath(job!.Id), view).Action()
            : TypedResults.Ok(view).Action();
    }

    [Function(nameof(ListJobs))]
    public Task<IActionResult> ListJobs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/jobs")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => ListAsync(request, account, cancellationToken));

    private async Task<IActionResult> ListAsync(HttpRequest request, AccountId account, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var query = JobListQuery.Parse(
            request.Query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value.ToString())), errors);
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the query parameter.");
        }

        var page = await jobs.ListAsync(account, query, cancellationToken);
        var items = new List<JobView>(page.Jobs.Count);
        foreach (var job in page.Jobs)
        {
            items.Add(await views.ToViewAsync(job, cancellationToken));
        }

        var token = JobListQuery.EncodeToken(page.ContinuationToken);
        if (token is not null)
        {
            request.HttpContext.Response.Headers[ContinuationHeader] = token;
            var next = QueryString.Create(request.Query
                .Where(q => JobListQuery.IsCarriedToNextPage(q.Key))
                .SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
                .Append(KeyValuePair.Create("continuationToken", (string?)token)));
            request.HttpContext.Response.Headers.Link = $"<{request.Path}{next}>; rel=\"next\"";
        }

        return TypedResults.Ok(items).Action();
    }
}
