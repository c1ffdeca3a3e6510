using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>The jobs resource: <c>GET /v2/jobs/{id}</c> and <c>GET /v2/jobs</c>.</summary>
public sealed class JobsFunctions(JobStore jobs, JobViews views)
{
    public const string ContinuationHeader = "X-Continuation-Token";

    public static string JobPath(string id) => $"/v2/jobs/{id}";

    [Function(nameof(GetJob))]
    public async Task<IActionResult> GetJob(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(id, cancellationToken);
        if (job is null)
        {
            return Problems.Status(StatusCodes.Status404NotFound, "Job not found", $"There is no job with id \"{id}\".");
        }

        return TypedResults.Ok(await views.ToViewAsync(job, cancellationToken)).Action();
    }

    [Function(nameof(ListJobs))]
    public async Task<IActionResult> ListJobs(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v2/jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var query = JobListQuery.Parse(
            request.Query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value.ToString())), errors);
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the query parameter.");
        }

        var page = await jobs.ListAsync(query, cancellationToken);
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
