using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Jobs.Cancel;

/// <summary>The cancel transitions: which states allow them, and what they record.</summary>
public class ExportJobCancelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);

    [Test]
    public void A_pending_job_is_cancelled_at_once_and_is_final()
    {
        var job = Job();

        job.Cancel(T1);

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Cancelled));
            Assert.That(job.IsFinished, Is.True);
            Assert.That(job.EndedAt, Is.EqualTo(T1));
            Assert.That(job.Attempts, Is.Zero);
        });
    }

    [Test]
    public void A_processing_job_asked_to_cancel_stays_processing_until_its_worker_cancels_it()
    {
        var job = Job(claimed: true);

        job.RequestCancel(T1);
        job.RequestCancel(T1.AddSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Processing));
            Assert.That(job.CancelRequestedAt, Is.EqualTo(T1), "the first request's time is kept");
            Assert.That(job.IsLeasedAt(T1), Is.True, "the worker still holds it");
        });

        job.Cancel(T1.AddSeconds(6));

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Cancelled));
            Assert.That(job.EndedAt, Is.EqualTo(T1.AddSeconds(6)));
            Assert.That(job.LeaseUntil, Is.Null);
        });
    }

    [Test]
    public void A_worker_that_finishes_first_completes_the_job_despite_the_request()
    {
        var job = Job(claimed: true);
        job.RequestCancel(T1);

        job.Complete(new DeliveryResult("sftp://host/report.csv"), 3, 10, "ab", T1);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Done));
    }

    [Test]
    public void Cancel_is_refused_where_it_is_not_legal()
    {
        var processing = Job(claimed: true);
        var done = Job(claimed: true);
        done.Complete(new DeliveryResult("sftp://host/report.csv"), 3, 10, "ab", T1);
        var failed = Job();
        failed.Fail(ErrorCodes.InvalidJob, "Broken.", T1);
        var cancelled = Job();
        cancelled.Cancel(T1);

        Assert.Multiple(() =>
        {
            Assert.That(() => processing.Cancel(T1), Throws.InvalidOperationException, "no cancel was requested");
            Assert.That(() => Job().RequestCancel(T1), Throws.InvalidOperationException, "a pending job is cancelled, not asked");
            foreach (var final in new[] { done, failed, cancelled })
            {
                var status = final.Status;
                Assert.That(() => final.Cancel(T1), Throws.InvalidOperationException.With.Message.Contains($"while {status}"));
                Assert.That(() => final.RequestCancel(T1), Throws.InvalidOperationException);
                Assert.That(final.Status, Is.EqualTo(status));
            }

            Assert.That(processing.Status, Is.EqualTo(JobStatus.Processing));
        });
    }

    [Test]
    public void Cancelled_is_a_final_status_the_list_filter_accepts() =>
        Assert.Multiple(() =>
        {
            Assert.That(JobStatus.IsFinal(JobStatus.Cancelled), Is.True);
            Assert.That(JobStatus.Normalize("cancelled"), Is.EqualTo(JobStatus.Cancelled));
        });

    private static ExportJob Job(bool claimed = false)
    {
        var job = new ExportJob { Account = TestAccounts.DemoId, Id = JobIds.New(T0), Name = "report", TotalItems = 3, CreatedAt = T0 };
        if (claimed)
        {
            job.Claim(T0, TimeSpan.FromMinutes(5));
        }

        return job;
    }
}
