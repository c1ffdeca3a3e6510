namespace AudienceTrends.Core.Jobs;

/// <summary>Section <c>Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>The queue trigger's binding expression: the host reads the queue name from this setting.</summary>
    public const string QueueNameExpression = "%" + SectionName + ":" + nameof(QueueName) + "%";

    /// <summary>Where the host moves a message after its last retry: the queue's name plus <c>-poison</c>.</summary>
    public const string PoisonQueueNameExpression = QueueNameExpression + "-poison";

    /// <summary>Holds each job's audience list (it can exceed a table row's size).</summary>
    public const string RequestsContainer = "export-requests";

    public const string IdempotencyTableName = "exportidempotency";

    public string TableName { get; set; } = "exportjobs";

    /// <summary>The work queue; a message names a job and its account (<see cref="JobMessage"/>).</summary>
    public string QueueName { get; set; } = "export-jobs";

    /// <summary>How long a claimed job belongs to its worker without a heartbeat; a dead worker's job is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a running export saves its progress and renews its lease.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Job rows (and their audience lists) are deleted after this many days.</summary>
    public int RetentionDays { get; set; } = 60;

    /// <summary>An Idempotency-Key is remembered this long.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A Pending job older than this is re-queued by maintenance: its intake may have died between writing the row
    /// and sending the message. A message merely waiting in a backlog gets a harmless duplicate.
    /// </summary>
    public TimeSpan PendingRequeueAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Pending and Processing jobs an account may have at once: a further export request gets 429 with
    /// <c>Retry-After</c>. Checked with one query of the account's partition per request (two requests at the very
    /// same moment may both pass it, so it is a ceiling give or take the requests in flight).
    /// </summary>
    public int MaxActivePerAccount { get; set; } = 50;

    /// <summary>
    /// Exports of one account that run at once: a further job of that account waits in the queue
    /// (<see cref="AccountBusyRetryDelay"/>) and the worker takes other accounts' jobs meanwhile, so one account's
    /// backlog of large jobs never holds another account's job back. Per service, not per instance.
    /// </summary>
    public int MaxRunningPerAccount { get; set; } = 2;

    /// <summary>How long a job whose account is at <see cref="MaxRunningPerAccount"/> waits before its message comes back.</summary>
    public TimeSpan AccountBusyRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    internal IEnumerable<string> Validate()
    {
        if (MaxActivePerAccount is < 1 or > 100_000)
        {
            yield return "MaxActivePerAccount must be between 1 and 100000.";
        }

        if (MaxRunningPerAccount < 1 || MaxRunningPerAccount > MaxActivePerAccount)
        {
            yield return "MaxRunningPerAccount must be at least 1 and at most MaxActivePerAccount.";
        }

        if (AccountBusyRetryDelay < TimeSpan.FromSeconds(1) || AccountBusyRetryDelay > TimeSpan.FromHours(1))
        {
            yield return "AccountBusyRetryDelay must be between 00:00:01 and 01:00:00.";
        }

        if (string.IsNullOrWhiteSpace(TableName) || !TableName.All(char.IsAsciiLetterOrDigit) || TableName.Length is < 3 or > 63)
        {
            yield return "TableName must be 3-63 letters or digits.";
        }

        if (string.IsNullOrWhiteSpace(QueueName) || QueueName.Length is < 3 or > 56 ||
            !QueueName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            yield return "QueueName must be 3-56 lower-case letters, digits or dashes (the poison queue adds \"-poison\").";
        }

        if (LeaseDuration < TimeSpan.FromSeconds(10))
        {
            yield return "LeaseDuration must be at least 00:00:10.";
        }

        if (ProgressInterval <= TimeSpan.Zero || ProgressInterval * 2 >= LeaseDuration)
        {
            yield return "ProgressInterval must be positive and less than half of LeaseDuration.";
        }

        if (RetentionDays < 1)
        {
            yield return "RetentionDays must be at least 1.";
        }

        if (IdempotencyWindow <= TimeSpan.Zero)
        {
            yield return "IdempotencyWindow must be positive.";
        }

        if (PendingRequeueAfter < TimeSpan.FromMinutes(1) || PendingRequeueAfter > TimeSpan.FromDays(1))
        {
            yield return "PendingRequeueAfter must be between 00:01:00 and 1.00:00:00.";
        }
    }
}
