using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>The job's webhook state (ExportJob.Webhook.cs): recorded by every final transition, settled only by attempts.</summary>
public class ExportJobWebhookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static readonly Dictionary<string, Action<ExportJob>> FinalTransitions = new()
    {
        ["Done"] = job =>
        {
            job.Claim(T0, Lease);
            job.Complete(new DeliveryResult("https://storage/report.csv"), 3, 100, "ab", T0.AddMinutes(1));
        },
        ["Failed while Pending"] = job => job.Fail("enqueue_failed", "Could not be queued.", T0.AddMinutes(1)),
        ["Failed while Processing"] = job =>
        {
            job.Claim(T0, Lease);
            job.Fail("retries_exhausted", "Given up.", T0.AddMinutes(1));
        },
        ["Cancelled while Pending"] = job => job.Cancel(T0.AddMinutes(1)),
        ["Cancelled while Processing"] = job =>
        {
            job.Claim(T0, Lease);
            job.RequestCancel(T0);
            job.Cancel(T0.AddMinutes(1));
        },
    };

    public static IEnumerable<string> Finals => FinalTransitions.Keys;

    [TestCaseSource(nameof(Finals))]
    public void Every_final_transition_records_one_event_due_at_its_end(string transition)
    {
        var job = WithWebhook();
        Assert.That(job.HasPendingWebhookEvent, Is.False, "no event before the job ends");

        FinalTransitions[transition](job);

        Assert.Multiple(() =>
        {
            Assert.That(job.HasPendingWebhookEvent, Is.True);
            Assert.That(job.WebhookEventId, Does.StartWith("msg_"));
            Assert.That(job.WebhookDueAt, Is.EqualTo(T0.AddMinutes(1)));
            Assert.That(job.WebhookEventType, Is.EqualTo("audiencetrendsexport." + job.Status.ToLowerInvariant()));
            Assert.That(job.EncryptedSecrets, Is.Null, "the destination's credentials go");
            Assert.That(job.EncryptedWebhookSecret, Is.EqualTo("encrypted"), "the webhook's key stays until the event is settled");
        });
    }

    [Test]
    public void A_job_without_webhook_records_no_event()
    {
        var job = NewJob();

        job.Cancel(T0);

        Assert.That(job.HasPendingWebhookEvent, Is.False);
        Assert.That(job.WebhookStatus, Is.Null);
    }

    [Test]
    public void Failed_attempts_keep_it_pending_until_one_succeeds_and_the_job_outcome_never_changes()
    {
        var job = Ended();
        var eventId = job.WebhookEventId;

        job.RecordWebhookAttempt(500, null, T0.AddMinutes(2), retryAt: T0.AddMinutes(4));
        job.RecordWebhookAttempt(null, "timed out", T0.AddMinutes(4), retryAt: T0.AddMinutes(8));
        Assert.Multiple(() =>
        {
            Assert.That(job.WebhookStatus, Is.EqualTo(ExportJob.WebhookPending));
            Assert.That(job.WebhookAttempts, Is.EqualTo(2));
            Assert.That(job.WebhookLastStatusCode, Is.Null);
            Assert.That(job.WebhookLastError, Is.EqualTo("timed out"));
            Assert.That(job.WebhookDueAt, Is.EqualTo(T0.AddMinutes(8)));
        });

        job.RecordWebhookAttempt(200, null, T0.AddMinutes(8), retryAt: T0.AddMinutes(16));

        Assert.Multiple(() =>
        {
            Assert.That(job.WebhookStatus, Is.EqualTo(ExportJob.WebhookDelivered));
            Assert.That(job.WebhookAttempts, Is.EqualTo(3));
            Assert.That(job.WebhookLastStatusCode, Is.EqualTo(200));
            Assert.That(job.WebhookLastError, Is.Null);
            Assert.That(job.WebhookDueAt, Is.Null);
            Assert.That(job.WebhookEventId, Is.EqualTo(eventId), "one event id for every attempt");
            Assert.That(job.EncryptedWebhookSecret, Is.Null);
            Assert.That(job.Status, Is.EqualTo(JobStatus.Cancelled));
            Assert.That(job.EndedAt, Is.EqualTo(T0.AddMinutes(1)));
        });
        Assert.That(() => job.RecordWebhookAttempt(200, null, T0.AddMinutes(9), null), Throws.InvalidOperationException,
            "a settled event takes no more attempts");
    }

    [Test]
    public void A_failed_attempt_without_retry_gives_the_event_up()
    {
        var job = Ended();

        job.RecordWebhookAttempt(503, null, T0.AddMinutes(2), retryAt: null);

        Assert.Multiple(() =>
        {
            Assert.That(job.WebhookStatus, Is.EqualTo(ExportJob.WebhookFailed));
            Assert.That(job.WebhookLastStatusCode, Is.EqualTo(503));
            Assert.That(job.WebhookLastError, Is.EqualTo("answered HTTP 503"));
            Assert.That(job.EncryptedWebhookSecret, Is.Null);
            Assert.That(job.HasPendingWebhookEvent, Is.False);
        });
    }

    [Test]
    public void No_attempt_before_the_job_ends_and_no_webhook_added_later()
    {
        var job = WithWebhook();

        Assert.That(() => job.RecordWebhookAttempt(200, null, T0, null), Throws.InvalidOperationException);
        Assert.That(() => job.AttachWebhook("https://other.example/", "encrypted"), Throws.InvalidOperationException);
    }

    private static ExportJob NewJob() => new() { Id = JobIds.New(T0), Name = "report", TotalItems = 3, CreatedAt = T0 };

    private static ExportJob WithWebhook()
    {
        var job = NewJob();
        job.AttachWebhook("https://hooks.example.net/in?token=t", "encrypted");
        return job;
    }

    private static ExportJob Ended()
    {
        var job = WithWebhook();
        job.Cancel(T0.AddMinutes(1));
        return job;
    }
}
