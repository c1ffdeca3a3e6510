using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The job's life. Every status change is one of these methods; each checks that it is legal now and throws
/// <see cref="InvalidOperationException"/> otherwise, and nothing else sets the status or the columns that go with it.
/// <code>
/// Create ─► Pending ──Claim──► Processing ──Complete──► Done
///              │                │  ↺ RenewLease; RecordTransientFailure releases the lease;
///              │                │  ↺ Claim again once the lease has run out (a redelivery takes over)
///              │                │  ↺ RequestCancel: the worker sees it at its next heartbeat and stops
///              ├─────Fail───────┴───Fail───► Failed
///              └─────Cancel─────┴───Cancel (after RequestCancel)───► Cancelled
/// </code>
/// </summary>
public sealed partial class ExportJob
{
    /// <summary>The longest <see cref="LastError"/> kept on the row.</summary>
    public const int MaxLastErrorLength = 1000;

    /// <summary>The longest <see cref="ErrorMessage"/>: a sentence or two a client shows; details are in the logs.</summary>
    public const int MaxErrorMessageLength = 300;

    public bool IsFinished => JobStatus.IsFinal(Status);

    /// <summary>Whether a worker holds the job at <paramref name="now"/>: Processing and its lease not run out.</summary>
    public bool IsLeasedAt(DateTimeOffset now) => Status == JobStatus.Processing && LeaseUntil > now;

    /// <summary>Whether the job is still in the attempt a worker claimed as its <paramref name="attempt"/>-th (Processing, not taken over since).</summary>
    public bool IsInAttempt(int attempt) => Status == JobStatus.Processing && Attempts == attempt;

    /// <summary>Whether the user asked to cancel the job during its <paramref name="attempt"/>-th attempt, which is still running.</summary>
    public bool IsCancelRequestedIn(int attempt) => IsInAttempt(attempt) && CancelRequestedAt is not null;

    /// <summary>
    /// Pending, or Processing with its lease run out (the worker that held it died or gave up) → Processing, leased
    /// to the caller until <paramref name="now"/> + <paramref name="leaseDuration"/>, counting one more attempt and
    /// starting its progress over. <see cref="StartedAt"/> becomes this attempt's start (the API's <c>times.start</c>:
    /// with <see cref="CompletedItems"/>, what tells a user how far the running attempt has come).
    /// </summary>
    public void Claim(DateTimeOffset now, TimeSpan leaseDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        if (Status != JobStatus.Pending && !(Status == JobStatus.Processing && !IsLeasedAt(now)))
        {
            throw Illegal(IsLeasedAt(now) ? $"be claimed: it is leased until {LeaseUntil:O}" : "be claimed");
        }

        Status = JobStatus.Processing;
        StartedAt = now;
        LeaseUntil = now + leaseDuration;
        Attempts++;
        CompletedItems = 0;
    }

    /// <summary>The heartbeat while Processing: records the audience rows written so far and extends the lease.</summary>
    public void RenewLease(DateTimeOffset now, TimeSpan leaseDuration, int completedItems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(completedItems);
        RequireProcessing("renew its lease");
        CompletedItems = completedItems;
        LeaseUntil = now + leaseDuration;
    }

    /// <summary>
    /// Processing → Done: the file <see cref="FileName"/> with <paramref name="rows"/> data rows,
    /// <paramref name="bytes"/> bytes and <paramref name="sha256"/> was delivered as <paramref name="delivered"/> says.
    /// </summary>
    public void Complete(DeliveryResult delivered, long rows, long bytes, string sha256, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        RequireProcessing("complete");
        Status = JobStatus.Done;
        CompletedItems = TotalItems;
        ResultRows = rows;
        ResultBytes = bytes;
        ResultSha256 = sha256;
        ResultLocation = delivered.Location;
        ResultFileName = FileName;
        ResultDetails = JobResultDetails.ToJson(delivered.Details);
        End(now);
    }

    /// <summary>
    /// Pending or Processing → Failed with an error a user can act on: a failure retrying cannot fix, a job that could
    /// not be queued, or one whose retries ran out. <paramref name="message"/> must not contain a secret; it is kept on
    /// one line and cut to <see cref="MaxErrorMessageLength"/> (a destination's reply can be long).
    /// </summary>
    public void Fail(string code, string message, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (Status != JobStatus.Pending && Status != JobStatus.Processing)
        {
            throw Illegal("fail");
        }

        Status = JobStatus.Failed;
        ErrorCode = code;
        ErrorMessage = ErrorText.OneLine(message, MaxErrorMessageLength);
        End(now);
    }

    /// <summary>
    /// Processing → still Processing, with <see cref="CancelRequestedAt"/> set: the worker holding the job sees the
    /// request at its next heartbeat (the row changed under it), removes what it started at the destination and calls
    /// <see cref="Cancel"/>. A second request keeps the first one's time.
    /// </summary>
    public void RequestCancel(DateTimeOffset now)
    {
        RequireProcessing("be asked to cancel");
        CancelRequestedAt ??= now;
    }

    /// <summary>
    /// Pending → Cancelled at once (its queue message then finds it final and does nothing), or Processing →
    /// Cancelled once <see cref="RequestCancel"/> was called and the worker has stopped (or its lease ran out).
    /// </summary>
    public void Cancel(DateTimeOffset now)
    {
        if (Status != JobStatus.Pending && !(Status == JobStatus.Processing && CancelRequestedAt is not null))
        {
            throw Illegal(Status == JobStatus.Processing ? "be cancelled before a cancel was requested" : "be cancelled");
        }

        Status = JobStatus.Cancelled;
        CancelRequestedAt ??= now;
        End(now);
    }

    /// <summary>
    /// While Processing, an attempt failed in a way a retry may fix: keeps <paramref name="error"/> (cut to
    /// <see cref="MaxLastErrorLength"/>) for the final message should the retries run out, and releases the lease so
    /// the redelivered message can claim the job at once. The job stays Processing.
    /// </summary>
    public void RecordTransientFailure(string error, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        RequireProcessing("record a transient failure");
        LastError = error.Length <= MaxLastErrorLength ? error : error[..MaxLastErrorLength];
        LeaseUntil = now;
    }

    /// <summary>
    /// What every final transition does last: stamps the end, drops the lease, and drops the encrypted credentials,
    /// which no final state needs (a job is never run again once final; the row stays for its retention period).
    /// With a webhook, records its event in the same write (ExportJob.Webhook.cs).
    /// </summary>
    private void End(DateTimeOffset now)
    {
        EndedAt = now;
        LeaseUntil = null;
        EncryptedSecrets = null;
        RecordWebhookEvent(now);
    }

    private void RequireProcessing(string action)
    {
        if (Status != JobStatus.Processing)
        {
            throw Illegal(action);
        }
    }

    private InvalidOperationException Illegal(string action) =>
        new($"Export job {Id} cannot {action} while {Status}.");
}
