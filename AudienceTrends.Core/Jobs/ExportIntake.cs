using AudienceTrends.Core.Accounts;
using System.Text;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Requests;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Turns a request body into a job: validate, check the audiences exist, honour an Idempotency-Key, store the job
/// (a long audience list's blob, then the row, which holds a short list), then enqueue its id. Once the row is written
/// the message is sent even if the caller cancels; a job whose message could not be enqueued is marked Failed, and
/// maintenance re-queues a Pending job whose intake died in between, so no job is left Pending with nothing to process it.
/// </summary>
public sealed class ExportIntake(
    ExportRequestParser parser,
    IAudienceTrendSource source,
    JobStore jobs,
    AudienceListStore audienceLists,
    JobQueue queue,
    IdempotencyStore idempotency,
    SecretProtector protector,
    WebhookHosts webhookHosts,
    JobUpdates updates,
    TimeProvider time,
    IOptions<JobsOptions> options,
    ILogger<ExportIntake> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public async Task<IntakeOutcome> SubmitAsync(AccountId account, ReadOnlyMemory<byte> body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var parsed = await parser.ParseAndCheckAsync(body, account, cancellationToken);
        var errors = parsed.Errors;
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 255 || idempotencyKey.Any(c => c is < '!' or > '~')))
        {
            errors.Add(IdempotencyKeyHeader, "Idempotency-Key must be 1-255 printable ASCII characters without spaces.");
        }

        if (!parsed.IsValid)
        {
            return new IntakeOutcome.Invalid(errors);
        }

        var request = parsed.Request!;
        if (request.Webhook is not null && await webhookHosts.ProblemAsync(request.Webhook.Url, cancellationToken) is { } receiverProblem)
        {
            errors.Add($"{WebhookField.Name}.{WebhookField.UrlField}", $"{WebhookField.Name}.{WebhookField.UrlField} {receiverProblem}");
        }

        var unknown = await source.FindUnknownAsync(account, request.Audiences, cancellationToken);
        if (unknown.Count > 0 || errors.HasErrors)
        {
            var unknownSet = unknown.ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < request.Audiences.Count; i++)
            {
                if (unknownSet.Contains(request.Audiences[i]))
                {
                    errors.Add($"audiences[{i}]", $"Unknown audience \"{request.Audiences[i]}\".");
                }
            }

            return new IntakeOutcome.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var jobId = JobIds.New(now);
        if (idempotencyKey is not null)
        {
            (var answer, jobId) = await ClaimIdempotencyKeyAsync(account, idempotencyKey, idempotency.BodyHash(body.Span), jobId, now, cancellationToken);
            if (answer is not null)
            {
                return answer;
            }
        }

        var limit = options.Value.MaxActivePerAccount;
        if (await jobs.CountActiveAsync(account, limit, processingOnly: false, cancellationToken) >= limit)
        {
            logger.LogInformation("Export refused: account {AccountId} has {Limit} jobs pending or processing", account.Value, limit);
            return new IntakeOutcome.TooManyActive(limit);
        }

        return await CreateAsync(account, jobId, request, now, run: null, cancellationToken);
    }

    /// <summary>
    /// A schedule's run: the job <paramref name="jobId"/> (derived from the schedule and slot) for the request the
    /// schedule's template gave for the slot's days. Idempotent: a second call for the same id (a scheduler that
    /// claimed the slot and crashed, then retried) finds the job and, while it is Pending, queues it again. The
    /// account's active-job limit does not apply: the schedule's own overlap rule decides whether a run starts.
    /// </summary>
    public Task<IntakeOutcome> CreateScheduledAsync(
        AccountId account, string jobId, ExportRequest request, ScheduledRun run, CancellationToken cancellationToken) =>
        CreateAsync(account, jobId, request, time.GetUtcNow(), run, cancellationToken);

    /// <summary>
    /// Either the answer to give (a replay or a conflict), or no answer and the id to create the job under: usually
    /// <paramref name="jobId"/>, or the id an earlier request with this key recorded but never finished storing.
    /// A key whose job could not be queued (the client was told to submit again) is moved to the new job.
    /// </summary>
    private async Task<(IntakeOutcome? Answer, string JobId)> ClaimIdempotencyKeyAsync(
        AccountId account, string key, string bodyHash, string jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var record = await idempotency.GetAsync(account, key, cancellationToken);
            if (record is null)
            {
                if (await idempotency.TryAddAsync(account, key, bodyHash, jobId, now, cancellationToken))
                {
                    return (null, jobId);
                }

                continue;
            }

            if (record.CreatedAt + options.Value.IdempotencyWindow <= now)
            {
                if (await idempotency.TryReplaceAsync(record, bodyHash, jobId, now, cancellationToken))
                {
                    return (null, jobId);
                }

                continue;
            }

            if (!string.Equals(record.BodyHash, bodyHash, StringComparison.Ordinal))
            {
                return (new IntakeOutcome.Conflict(
                    "This Idempotency-Key was already used with a different request body in the last 24 hours. " +
                    "Use a new key for a different export."), jobId);
            }

            var existing = await jobs.GetAsync(account, record.JobId, cancellationToken);
            if (existing is null)
            {
                // The first request recorded the key but never finished: finish it under its id.
                return (null, record.JobId);
            }

            if (existing is { Status: JobStatus.Failed, ErrorCode: ErrorCodes.EnqueueFailed })
            {
                // That answer was a 503 "submit it again": this is the retry it asked for, so it gets a new job.
                if (await idempotency.TryReplaceAsync(record, bodyHash, jobId, now, cancellationToken))
                {
                    return (null, jobId);
                }

                continue;
            }

            if (existing.Status == JobStatus.Pending)
            {
                await RequeueAsync(existing);
            }

            return (new IntakeOutcome.Accepted(existing, Replayed: true), record.JobId);
        }

        return (new IntakeOutcome.Conflict("This Idempotency-Key is being used by concurrent requests; retry shortly."), jobId);
    }

    /// <summary>
    /// A replayed Pending job may have lost its message (its first request died between the row and the message):
    /// send it again. A duplicate is harmless, the worker ignores a message for a job it cannot claim; should this
    /// fail, maintenance re-queues the job.
    /// </summary>
    private async Task RequeueAsync(ExportJob job)
    {
        try
        {
            await queue.EnqueueAsync(job, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not re-queue pending export job {JobId} on a replay; maintenance will", job.Id);
        }
    }

    private async Task<IntakeOutcome> CreateAsync(
        AccountId account, string jobId, ExportRequest request, DateTimeOffset now, ScheduledRun? run, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        var webhook = request.Webhook;
        var job = ExportJob.Create(account, jobId, request, now, protector.Protect(request.Secrets, jobId),
            webhook is null ? null : protector.Protect([.. webhook.Key], SecretProtector.WebhookSecretContext(jobId)),
            webhook?.Query is { } query ? protector.Protect(Encoding.UTF8.GetBytes(query), SecretProtector.WebhookQueryContext(jobId)) : null,
            run);
        await audienceLists.SaveAsync(job, request.Audiences, cancellationToken);

        // From the row on, the job is finished whatever the caller does (cancelling included): a row without its
        // message would stay Pending. These two storage calls are bounded by the SDK's network timeout and retries.
        try
        {
            await jobs.AddAsync(job, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Created before under this id (an idempotent retry, a schedule's slot claimed again after a crash): its
            // message may have been lost with the first attempt, so a Pending job is queued again.
            var existing = (await jobs.GetAsync(account, jobId, CancellationToken.None))!;
            if (existing.Status == JobStatus.Pending)
            {
                await RequeueAsync(existing);
            }

            return new IntakeOutcome.Accepted(existing, Replayed: true);
        }

        try
        {
            await queue.EnqueueAsync(job, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not enqueue export job {JobId}; marking it Failed", jobId);
            var failed = await updates.ApplyAsync(job, j =>
            {
                if (j.Status != JobStatus.Pending)
                {
                    return false;
                }

                j.Fail(ErrorCodes.EnqueueFailed,
                    "The job could not be queued for processing. Nothing was exported; please submit it again.", time.GetUtcNow());
                return true;
            }, CancellationToken.None);
            return new IntakeOutcome.Unavailable(failed.Job ?? job);
        }

        logger.LogInformation(
            "Accepted export job {JobId} {ExportName} to {DestinationType} with {AudienceCount} audiences over {DayCount} days",
            jobId, request.Name, job.DestinationType, request.Audiences.Count, request.DayCount);
        return new IntakeOutcome.Accepted(job, Replayed: false);
    }
}

public abstract record IntakeOutcome
{
    public sealed record Accepted(ExportJob Job, bool Replayed) : IntakeOutcome;

    public sealed record Invalid(RequestErrors Errors) : IntakeOutcome;

    public sealed record Conflict(string Detail) : IntakeOutcome;

    /// <summary>The account already has <see cref="Limit"/> jobs Pending or Processing (<see cref="JobsOptions.MaxActivePerAccount"/>).</summary>
    public sealed record TooManyActive(int Limit) : IntakeOutcome;

    /// <summary>The job was stored but could not be queued; it is marked Failed.</summary>
    public sealed record Unavailable(ExportJob Job) : IntakeOutcome;
}
