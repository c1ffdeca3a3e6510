using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Functions;

/// <summary><c>POST /v2/audiencetrendsexport</c>: validates the body, stores the job, queues it, answers 202 at once.</summary>
public sealed class CreateExportFunction(ApiKeyAuthenticator authenticator, ExportIntake intake, JobViews views, IOptions<IntakeOptions> options)
{
    [Function(nameof(CreateExport))]
    public Task<IActionResult> CreateExport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/audiencetrendsexport")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => CreateAsync(request, account, cancellationToken));

    private async Task<IActionResult> CreateAsync(HttpRequest request, AccountId account, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var idempotencyKey = request.Headers.TryGetValue(ExportIntake.IdempotencyKeyHeader, out var key) ? key.ToString() : null;
        switch (await intake.SubmitAsync(account, body, idempotencyKey, cancellationToken))
        {
            case IntakeOutcome.Invalid invalid:
                return Problems.Validation(invalid.Errors.ToDictionary(), "See errors: each is keyed by the JSON path of the field.");
            case IntakeOutcome.Conflict conflict:
                return Problems.Status(StatusCodes.Status409Conflict, "Idempotency-Key conflict", conflict.Detail);
            case IntakeOutcome.TooManyActive tooMany:
                return Problems.TooManyRequests(request, TimeSpan.FromMinutes(1), "Too many active exports",
                    $"Your account has {tooMany.Limit} exports pending or processing, its limit. Submit this one once some have finished.");
            case IntakeOutcome.Unavailable unavailable:
                request.HttpContext.Response.Headers.RetryAfter = "30";
                return Problems.Status(StatusCodes.Status503ServiceUnavailable, "Export queue unavailable",
                    "The job could not be queued and was marked Failed. Nothing will be exported; submit it again.",
                    new Dictionary<string, object?> { ["jobId"] = unavailable.Job.Id });
            case IntakeOutcome.Accepted accepted:
                var view = await views.ToViewAsync(accepted.Job, cancellationToken);
                return TypedResults.Accepted(JobsFunctions.JobPath(accepted.Job.Id), view).Action();
            default:
                throw new InvalidOperationException("Unknown intake outcome.");
        }
    }
}
