using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// The job's state machine: every legal transition and what it records, and every illegal one refused without
/// changing the job. Jobs reach each state through the transitions themselves.
/// </summary>
public class ExportJobTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Test]
    public void A_new_job_is_pending_and_not_leased()
    {
        var job = NewJob();

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Pending));
            Assert.That(job.IsFinished, Is.False);
            Assert.That(job.IsLeasedAt(T0), Is.False);
            Assert.That(job.Attempts, Is.Zero);
            Assert.That(job.StartedAt, Is.Null);
        });
    }

    [Test]
    public void Claiming_a_pending_job_leases_it_and_counts_an_attempt()
    {
        var job = NewJob();

        job.Claim(T0, Lease);

        AssertClaimed(job, startedAt: T0, leasedUntil: T0 + Lease, attempts: 1);
        Assert.Multiple(() =>
        {
            Assert.That(job.IsLeasedAt(T0 + Lease - TimeSpan.FromTicks(1)), Is.True);
            Assert.That(job.IsLeasedAt(T0 + Lease), Is.False);
        });
    }

    [Test]
    public void A_processing_job_whose_lease_ran_out_is_taken_over_and_times_start_is_the_new_attempts()
    {
        var job = Processing();
        job.RenewLease(T0 + TimeSpan.FromMinutes(1), Lease, completedItems: 2);
        var later = T0 + TimeSpan.FromMinutes(6); // past the renewed lease (T0 + 1 + 5 minutes)

        job.Claim(later, Lease);

        AssertClaimed(job, startedAt: later, leasedUntil: later + Lease, attempts: 2);
    }

    [Test]
    public void A_processing_job_whose_lease_is_alive_cannot_be_claimed()
    {
        var job = Processing();

        AssertRefused(job, j => j.Claim(T0 + Lease - TimeSpan.FromSeconds(1), Lease));
    }

    [Test]
    public void Renewing_the_lease_records_progress_and_extends_the_lease()
    {
        var job = Processing();
        var beat = T0 + TimeSpan.FromSeconds(5);

        job.RenewLease(beat, Lease, completedItems: 2);

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Processing));
            Assert.That(job.CompletedItems, Is.EqualTo(2));
            Assert.That(job.LeaseUntil, Is.EqualTo(beat + Lease));
        });
    }

    [Test]
    public void Completing_records_the_result_and_ends_the_job()
    {
        var job = Processing();
        var end = T0 + TimeSpan.FromMinutes(1);

        job.Complete(new DeliveryResult("sftp://host/out/report.csv") { Details = new Dictionary<string, string> { ["hostKeyFingerprint"] = "SHA256:abc" } }, 3, 120, "ab12", end);

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Done));
            Assert.That(job.IsFinished, Is.True);
            Assert.That(job.CompletedItems, Is.EqualTo(job.TotalItems));
            Assert.That(job.ResultRows, Is.EqualTo(3));
            Assert.That(job.ResultBytes, Is.EqualTo(120));
            Assert.That(job.ResultSha256, Is.EqualTo("ab12"));
            Assert.That(job.ResultLocation, Is.EqualTo("sftp://host/out/report.csv"));
            Assert.That(job.ResultFileName, Is.EqualTo("report.csv"));
            Assert.That(job.ResultDetails, Is.EqualTo("""{"hostKeyFingerprint":"SHA256:abc"}"""));
            Assert.That(job.EndedAt, Is.EqualTo(end));
            Assert.That(job.LeaseUntil, Is.Null);
            Assert.That(job.IsLeasedAt(end), Is.False);
        });
    }

    [Test]
    public void A_transient_failure_keeps_the_error_and_releases_the_lease_for_the_next_attempt()
    {
        var job = Processing();
        var failedAt = T0 + TimeSpan.FromSeconds(30);

        job.RecordTransientFailure("SqliteException: unable to open database file", failedAt);

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Processing));
            Assert.That(job.LastError, Is.EqualTo("SqliteException: unable to open database file"));
            Assert.That(job.LeaseUntil, Is.EqualTo(failedAt));
            Assert.That(job.IsLeasedAt(failedAt), Is.False);
        });

        job.Claim(failedAt, Lease);
        Assert.That(job.Attempts, Is.EqualTo(2), "the redelivered message claims it at once");
    }

    [Test]
    public void A_transient_error_longer_than_the_row_keeps_is_cut()
    {
        var job = Processing();

        job.RecordTransientFailure(new string('x', ExportJob.MaxLastErrorLength + 10), T0);

        Assert.That(job.LastError, Is.EqualTo(new string('x', ExportJob.MaxLastErrorLength)));
    }

    [Test]
    public void A_processing_job_fails_with_its_code_and_message()
    {
        var job = Processing();
        var end = T0 + TimeSpan.FromMinutes(2);

        job.Fail(ErrorCodes.DestinationAuthFailed, "The SFTP server refused the username or password.", end);

        AssertFailed(job, ErrorCodes.DestinationAuthFailed, "The SFTP server refused the username or password.", end);
    }

    [Test]
    public void A_pending_job_fails_when_it_cannot_be_queued_or_its_retries_ran_out()
    {
        var job = NewJob();

        job.Fail(ErrorCodes.EnqueueFailed, "The job could not be queued for processing.", T0);

        AssertFailed(job, ErrorCodes.EnqueueFailed, "The job could not be queued for processing.", T0);
        Assert.That(job.StartedAt, Is.Null);
    }

    [Test]
    public void A_pending_job_can_only_be_claimed_or_failed()
    {
        AssertRefused(NewJob(), j => j.RenewLease(T0, Lease, 0));
        AssertRefused(NewJob(), j => j.Complete(new DeliveryResult("x"), 0, 0, "ab", T0));
        AssertRefused(NewJob(), j => j.RecordTransientFailure("boom", T0));
    }

    [Test]
    public void A_finished_job_refuses_every_transition()
    {
        foreach (var finished in new[] { Done(), Failed() })
        {
            AssertRefused(finished, j => j.Claim(T0 + TimeSpan.FromDays(1), Lease));
            AssertRefused(finished, j => j.RenewLease(T0, Lease, 0));
            AssertRefused(finished, j => j.Complete(new DeliveryResult("x"), 0, 0, "ab", T0));
            AssertRefused(finished, j => j.Fail(ErrorCodes.RetriesExhausted, "Given up.", T0));
            AssertRefused(finished, j => j.RecordTransientFailure("boom", T0));
        }
    }

    [Test]
    public void A_failure_needs_a_code_and_a_message()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Processing().Fail("", "message", T0), Throws.ArgumentException);
            Assert.That(() => Processing().Fail(ErrorCodes.InvalidJob, " ", T0), Throws.ArgumentException);
        });
    }

    private static ExportJob NewJob() => new() { Account = TestAccounts.DemoId, Id = JobIds.New(T0), Name = "report", TotalItems = 3, CreatedAt = T0 };

    private static ExportJob Processing()
    {
        var job = NewJob();
        job.Claim(T0, Lease);
        return job;
    }

    private static ExportJob Done()
    {
        var job = Processing();
        job.Complete(new DeliveryResult("https://storage/jobs/report.csv"), 3, 100, "ab", T0 + TimeSpan.FromMinutes(1));
        return job;
    }

    private static ExportJob Failed()
    {
        var job = Processing();
        job.Fail(ErrorCodes.DestinationNotFound, "The bucket does not exist.", T0 + TimeSpan.FromMinutes(1));
        return job;
    }

    /// <summary>Processing, leased, with the attempt counted and its progress (started over) at zero.</summary>
    private static void AssertClaimed(ExportJob job, DateTimeOffset startedAt, DateTimeOffset leasedUntil, int attempts) =>
        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Processing));
            Assert.That(job.StartedAt, Is.EqualTo(startedAt));
            Assert.That(job.LeaseUntil, Is.EqualTo(leasedUntil));
            Assert.That(job.Attempts, Is.EqualTo(attempts));
            Assert.That(job.CompletedItems, Is.Zero);
        });

    private static void AssertFailed(ExportJob job, string code, string message, DateTimeOffset end) =>
        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
            Assert.That(job.IsFinished, Is.True);
            Assert.That(job.ErrorCode, Is.EqualTo(code));
            Assert.That(job.ErrorMessage, Is.EqualTo(message));
            Assert.That(job.EndedAt, Is.EqualTo(end));
            Assert.That(job.LeaseUntil, Is.Null);
        });

    /// <summary>The transition throws, names the job's status, and leaves the job as it was.</summary>
    private static void AssertRefused(ExportJob job, Action<ExportJob> transition)
    {
        var before = Snapshot(job);

        Assert.That(() => transition(job),
            Throws.InvalidOperationException.With.Message.Contains($"while {job.Status}").And.Message.Contains(job.Id));
        Assert.That(Snapshot(job), Is.EqualTo(before), "a refused transition changes nothing");
    }

    private static object Snapshot(ExportJob j) => (j.Status, j.Attempts, j.StartedAt, j.EndedAt, j.LeaseUntil, j.CompletedItems,
        j.ResultRows, j.ResultLocation, j.ErrorCode, j.ErrorMessage, j.LastError);
}
