using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Functions;

/// <summary>
/// Recurring exports: <c>/v2/schedules</c> (create, list), <c>/v2/schedules/{id}</c> (get, delete) and its
/// <c>pause</c>, <c>resume</c>, <c>run</c> and <c>backfill</c> actions. Each sees only the caller's account's
/// schedules (<see cref="ScheduleCommands"/>): another account's id answers 404, as an unknown one does.
/// </summary>
public sealed class SchedulesFunctions(
    ApiKeyAuthenticator authenticator, ScheduleCommands schedules, JobStore jobs, JobViews views, IOptions<IntakeOptions> intake)
{
    public static string SchedulePath(string id) => $"/v2/schedules/{id}";

    [Function(nameof(CreateSchedule))]
    public Task<IActionResult> CreateSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/schedules")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
        {
            var (body, problem) = await RequestBody.ReadJsonAsync(request, intake.Value.MaxBodyBytes, cancellationToken);
            return problem ?? await AnswerAsync(await schedules.CreateAsync(account, body, cancellationToken), account, "", created: true, cancellationToken);
        });

    [Function(nameof(ListSchedules))]
    public Task<IActionResult> ListSchedules(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/schedules")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            TypedResults.Ok(await schedules.ListAsync(account, cancellationToken)).Action());

    [Function(nameof(GetSchedule))]
    public Task<IActionResult> GetSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/schedules/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await AnswerAsync(await schedules.GetAsync(account, id, cancellationToken), account, id, created: false, cancellationToken));

    [Function(nameof(DeleteSchedule))]
    public Task<IActionResult> DeleteSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v2/schedules/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await schedules.DeleteAsync(account, id, cancellationToken) ? TypedResults.NoContent().Action() : NotFound(id));

    [Function(nameof(PauseSchedule))]
    public Task<IActionResult> PauseSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/schedules/{id}/pause")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await AnswerAsync(await schedules.PauseAsync(account, id, cancellationToken), account, id, created: false, cancellationToken));

    [Function(nameof(ResumeSchedule))]
    public Task<IActionResult> ResumeSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/schedules/{id}/resume")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await AnswerAsync(await schedules.ResumeAsync(account, id, cancellationToken), account, id, created: false, cancellationToken));

    [Function(nameof(RunSchedule))]
    public Task<IActionResult> RunSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/schedules/{id}/run")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            await AnswerAsync(await schedules.RunNowAsync(account, id, cancellationToken), account, id, created: false, cancellationToken));

    [Function(nameof(BackfillSchedule))]
    public Task<IActionResult> BackfillSchedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/schedules/{id}/backfill")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
        {
            var (body, problem) = await RequestBody.ReadJsonAsync(request, intake.Value.MaxBodyBytes, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            return await schedules.BackfillAsync(account, id, body, cancellationToken) switch
            {
                ScheduleOutcome.Ran ran => TypedResults.Json(
                    new { queued = ran.Runs.Select(r => new { slot = r.Slot, jobId = r.JobId }) }, statusCode: StatusCodes.Status202Accepted).Action(),
                var other => await AnswerAsync(other, account, id, created: false, cancellationToken),
            };
        });

    private async Task<IActionResult> AnswerAsync(ScheduleOutcome outcome, AccountId account, string id, bool created, CancellationToken cancellationToken)
    {
        switch (outcome)
        {
            case ScheduleOutcome.Found found:
                return created
                    ? TypedResults.Created(SchedulePath(found.Schedule.Id), found.Schedule).Action()
                    : TypedResults.Ok(found.Schedule).Action();
            case ScheduleOutcome.Invalid invalid:
                return Problems.Validation(invalid.Errors.ToDictionary(), "See errors: each is keyed by the JSON path of the field.");
            case ScheduleOutcome.TooMany tooMany:
                return Problems.Status(StatusCodes.Status409Conflict, "Too many schedules",
                    $"This account has {tooMany.Limit} schedules, the most it may (Schedules:MaxPerAccount): delete one before creating another.");
            case ScheduleOutcome.Ran { Runs: [var run] } when await jobs.GetAsync(account, run.JobId, cancellationToken) is { } job:
                return TypedResults.Accepted(JobsFunctions.JobPath(job.Id), await views.ToViewAsync(job, cancellationToken)).Action();
            default:
                return NotFound(id);
        }
    }

    /// <summary>Another account's schedule answers exactly as one that does not exist.</summary>
    private static IActionResult NotFound(string id) =>
        Problems.Status(StatusCodes.Status404NotFound, "Schedule not found", $"There is no schedule with id \"{id}\".");
}
