using AudienceTrends.Core.Accounts;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Webhooks;

/// <summary>
/// Delivers one attempt of a job's completion event: POSTs <c>{"type", "timestamp", "data": the job as
/// GET /v2/jobs/{id} shows it}</c>, signed as the Standard Webhooks specification says, and records the outcome on
/// the job row (ETag-conditional). A failed attempt is queued again with a growing visibility delay until the
/// attempts run out; a message for an event already settled, or a duplicate of an attempt already made, does nothing.
/// </summary>
public sealed class WebhookSender(
    JobStore jobs,
    JobViews views,
    SecretProtector protector,
    JobUpdates updates,
    WebhookPost post,
    WebhookQueue queue,
    AppMetrics metrics,
    IOptions<WebhookOptions> options,
    IOptions<AccountsOptions> accounts,
    TimeProvider time,
    ILogger<WebhookSender> logger)
{
    /// <summary>The named client of <see cref="IHttpClientFactory"/> (its handler checks every connection).</summary>
    public const string ClientName = "webhooks";

    private readonly WebhookOptions _options = options.Value;

    public async Task SendAsync(string messageText, CancellationToken cancellationToken)
    {
        if (WebhookMessage.TryParse(messageText) is not { } message)
        {
            logger.LogWarning("A message of the webhook events queue is not an event; ignored");
            return;
        }

        using var span = AppTelemetry.StartProcess(queue.Name, message.TraceParent, message.JobId);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = message.JobId });
        if (await FindPendingAsync(message, cancellationToken) is not { } job)
        {
            return;
        }

        if (job.WebhookDueAt is { } due && due > time.GetUtcNow())
        {
            // Visible before its attempt is due (a queue rounds its delays): hidden again for the rest of the wait,
            // so the documented doubling holds at any setting.
            await updates.RequeueEventAsync(job, CancellationToken.None);
            logger.LogInformation("Webhook event {EventId} of export job {JobId}, attempt {Attempt}: not due until {DueAt}; queued again",
                message.EventId, message.JobId, message.Attempt + 1, due);
            return;
        }

        Attempt outcome;
        try
        {
            outcome = await AttemptAsync(job, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever fails before or around the attempt (the row's data, the view) counts as a failed attempt, so
            // a failure that recurs ends the event Failed after Webhooks:MaxAttempts instead of being re-queued for
            // as long as the job exists.
            logger.LogError(e, "Webhook event {EventId} of export job {JobId}, attempt {Attempt}, could not be prepared; counted as a failed attempt",
                message.EventId, message.JobId, message.Attempt + 1);
            outcome = new Attempt(null, "the event could not be prepared for sending (an internal error, in the service's logs)", Final: false);
        }

        await RecordAsync(job, message, outcome);
    }

    /// <summary>
    /// A message whose handling failed <c>maxDequeueCount</c> times (the host moved it to the poison queue): its
    /// event, if still the row's pending one, is given up (Failed) with that reason, so nothing re-queues it.
    /// </summary>
    public async Task GiveUpPoisonedAsync(string messageText, CancellationToken cancellationToken)
    {
        if (WebhookMessage.TryParse(messageText) is not { } message)
        {
            logger.LogWarning("A message of the webhook events poison queue is not an event; ignored");
            return;
        }

        using var span = AppTelemetry.StartProcess(queue.Name + "-poison", message.TraceParent, message.JobId);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = message.JobId });
        if (await FindPendingAsync(message, cancellationToken) is not { } job)
        {
            return;
        }

        logger.LogError("Webhook event {EventId} of export job {JobId}: handling attempt {Attempt} failed repeatedly; the event is given up",
            message.EventId, message.JobId, message.Attempt + 1);
        await RecordAsync(job, message, new Attempt(null, "the event could not be handled repeatedly (an internal error, in the service's logs)", Final: true));
    }

    /// <summary>The job whose pending event <paramref name="message"/> is for; null (logged) for a stale message.</summary>
    private async Task<ExportJob?> FindPendingAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(message.AccountOr(accounts.Value.LegacyAccountId), message.JobId, cancellationToken);
        if (job is null || !IsThisAttempt(job, message))
        {
            logger.LogInformation("Webhook event {EventId} of export job {JobId}, attempt {Attempt}: already settled or made; message ignored",
                message.EventId, message.JobId, message.Attempt + 1);
            return null;
        }

        return job;
    }

    /// <summary>Saves the attempt's outcome (ETag-conditional) and queues the next attempt, if any.</summary>
    private async Task RecordAsync(ExportJob job, WebhookMessage message, Attempt outcome)
    {
        var now = time.GetUtcNow();
        var attempts = job.WebhookAttempts + 1;
        DateTimeOffset? retryAt = outcome.Final || attempts >= _options.MaxAttempts ? null : now + _options.DelayAfter(attempts);
        var update = await updates.ApplyAsync(job, current =>
        {
            if (!IsThisAttempt(current, message))
            {
                return false;
            }

            current.RecordWebhookAttempt(outcome.StatusCode, outcome.Error, now, retryAt);
            return true;
        }, CancellationToken.None);
        if (update is { Applied: true, Job: { } recorded })
        {
            var result = recorded.WebhookStatus == ExportJob.WebhookDelivered ? "delivered" : recorded.WebhookDueAt is null ? "given_up" : "retry";
            metrics.RecordWebhookDelivery(result);
            System.Diagnostics.Activity.Current?.SetTag(AppTelemetry.WebhookResult, result);
        }

        if (update is not { Applied: true, Job: { } saved })
        {
            logger.LogInformation("Export job {JobId} changed during webhook attempt {Attempt}; the other delivery's record stands",
                job.Id, attempts);
            return;
        }

        if (saved.WebhookDueAt is { } dueAt)
        {
            logger.LogInformation(
                "Webhook event {EventId} of export job {JobId}, attempt {Attempt} to {WebhookUrl}: HTTP {StatusCode}, now {WebhookStatus}, next attempt {DueAt}",
                saved.WebhookEventId, saved.Id, attempts, WebhookRequest.Shown(saved.WebhookUrl!), outcome.StatusCode, saved.WebhookStatus, dueAt);
        }
        else
        {
            logger.LogInformation(
                "Webhook event {EventId} of export job {JobId}, attempt {Attempt} to {WebhookUrl}: HTTP {StatusCode}, settled as {WebhookStatus}",
                saved.WebhookEventId, saved.Id, attempts, WebhookRequest.Shown(saved.WebhookUrl!), outcome.StatusCode, saved.WebhookStatus);
        }
    }

    /// <summary>Whether <paramref name="message"/> is the job's pending event at the attempt it names (not settled, not made yet).</summary>
    private static bool IsThisAttempt(ExportJob job, WebhookMessage message) =>
        job.HasPendingWebhookEvent && job.WebhookEventId == message.EventId && job.WebhookAttempts == message.Attempt;

    private async Task<Attempt> AttemptAsync(ExportJob job, CancellationToken cancellationToken)
    {
        byte[]? key;
        string url;
        try
        {
            key = protector.Unprotect(job.EncryptedWebhookSecret, SecretProtector.WebhookSecretContext(job.Id));
            url = ReceiverUrl(job);
        }
        catch (CryptographicException e)
        {
            logger.LogError(e, "The webhook secret of export job {JobId} cannot be decrypted; the event is given up", job.Id);
            key = null;
            url = "";
        }

        if (key is null)
        {
            return new Attempt(null, "the webhook's secret cannot be decrypted (the service's encryption key changed, or the row was altered)", Final: true);
        }

        var shown = WebhookRequest.Shown(job.WebhookUrl!);
        try
        {
            var view = await views.ToViewAsync(job, cancellationToken);
            var body = JsonSerializer.SerializeToUtf8Bytes(
                new WebhookPayload(job.WebhookEventType, job.EndedAt ?? time.GetUtcNow(), view), JsonSerializerOptions.Web);
            var sent = await post.SendAsync(url, shown, key, job.WebhookEventId!, body, cancellationToken);
            if (sent.Error is not null)
            {
                logger.LogWarning(sent.Exception, "Webhook attempt for export job {JobId} failed: {WebhookError}", job.Id, sent.Error);
            }

            return new Attempt(sent.StatusCode, sent.Error, Final: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The URL to call: the row's clear part and its decrypted query string (older rows hold the whole URL in clear).</summary>
    private string ReceiverUrl(ExportJob job)
    {
        var query = protector.Unprotect(job.EncryptedWebhookQuery, SecretProtector.WebhookQueryContext(job.Id));
        if (query is null)
        {
            return job.WebhookUrl!;
        }

        try
        {
            return job.WebhookUrl + Encoding.UTF8.GetString(query);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(query);
        }
    }

    private sealed record Attempt(int? StatusCode, string? Error, bool Final);

    /// <summary>The body of every attempt of an event; <c>timestamp</c> is when the job ended.</summary>
    private sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, JobView Data);
}
