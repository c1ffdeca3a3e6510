using System.Globalization;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Requests;
using Azure;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// One export job. Its state is private to it: the status and the columns that change with it are set only by the
/// transitions in ExportJob.Life.cs and ExportJob.Webhook.cs, and it is stored as one <see cref="ExportJobRow"/> of the
/// job table, mapped in ExportJob.Row.cs. The audience list lives in <see cref="Audiences"/> when short, else in a
/// blob (see <see cref="AudienceListStore"/>); the destination's credentials only in <see cref="EncryptedSecrets"/>.
/// </summary>
public sealed partial class ExportJob
{
    /// <summary>
    /// The one partition every row was written to before accounts existed; such rows belong to
    /// <c>Accounts:LegacyAccount</c> and stay where they are. No account can be named so (see <see cref="AccountRequest"/>).
    /// </summary>
    public const string LegacyPartition = AccountRequest.ReservedJobPartition;
    public const string ExportJobName = "audiencetrendsexport";

    /// <summary>The account the job belongs to: only its keys see, cancel or download it.</summary>
    public AccountId Account { get; init; }

    /// <summary>Whether the row is in <see cref="LegacyPartition"/> (written before accounts existed), where it stays.</summary>
    internal bool IsLegacyRow { get; init; }

    /// <summary>The table partition of the job's row: its account's id, or <see cref="LegacyPartition"/>.</summary>
    internal string RowPartition => IsLegacyRow ? LegacyPartition : Account.Value;

    /// <summary>The job id (see <see cref="JobIds"/>).</summary>
    public string Id { get; init; } = "";

    /// <summary>The row's version as last read or saved: a save succeeds only while the row still has it.</summary>
    public ETag ETag { get; internal set; }

    /// <summary>The status of the row as last read or saved: a save that changes it also updates the job's <see cref="ActiveJobIndex"/> marker.</summary>
    internal string? StoredStatus { get; set; }

    public string JobName { get; init; } = ExportJobName;

    public string Name { get; init; } = "";

    public string ExportType { get; init; } = "csv";

    /// <summary>The request's <c>layout</c> (<c>wide</c>, <c>long</c>); null on rows written before it existed (wide).</summary>
    public string? Layout { get; init; }

    /// <summary>The request's <c>compression</c> (<c>none</c>, <c>gzip</c>); null on rows written before it existed.</summary>
    public string? Compression { get; init; }

    public string Status { get; private set; } = JobStatus.Pending;

    /// <summary>The destination kind's wire name (<c>aws</c>, <c>sftp</c>, ...).</summary>
    public string DestinationType { get; private set; } = "aws";

    /// <summary>The destination in one readable line for operators, e.g. <c>sftp://user@host:22/folder</c>; never a secret.</summary>
    public string? Destination { get; private set; }

    /// <summary>The destination's non-secret settings as JSON, written and read by its kind.</summary>
    public string? DestinationSettings { get; private set; }

    /// <summary>First day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string FirstDay { get; init; } = "";

    /// <summary>Last day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string LastDay { get; init; } = "";

    /// <summary>Audiences requested: the file's data rows.</summary>
    public int TotalItems { get; init; }

    /// <summary>The audience list as a JSON array when short enough for the row; null when it is in a blob.</summary>
    public string? Audiences { get; private set; }

    /// <summary>Audience rows written so far.</summary>
    public int CompletedItems { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The schedule whose run this job is; null for a job created by a request.</summary>
    public string? ScheduleId { get; init; }

    /// <summary>The slot (UTC) of the schedule this job runs; null for a job created by a request.</summary>
    public DateTimeOffset? ScheduleSlot { get; init; }

    /// <summary>The schedule and slot this job runs; null for a job created by a request.</summary>
    public ScheduledRun? Run => ScheduleId is null || ScheduleSlot is null ? null : new ScheduledRun(ScheduleId, ScheduleSlot.Value);

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>While Processing: until when the worker that claimed the job owns it.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>How many times a worker has claimed the job.</summary>
    public int Attempts { get; private set; }

    public long? ResultRows { get; private set; }

    public long? ResultBytes { get; private set; }

    public string? ResultSha256 { get; private set; }

    public string? ResultLocation { get; private set; }

    public string? ResultFileName { get; private set; }

    /// <summary>Kind-specific facts about the delivery (SFTP: the host key seen), as a JSON object of strings.</summary>
    public string? ResultDetails { get; private set; }

    public string? ErrorCode { get; private set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>While Processing: when the user asked to cancel; the worker stops at its next heartbeat.</summary>
    public DateTimeOffset? CancelRequestedAt { get; private set; }

    /// <summary>The last transient failure, kept so the final error can say what kept failing.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// The destination's credentials, AES-256-GCM encrypted under a key from configuration; cleared when the job reaches
    /// a final state (nothing runs it again).
    /// </summary>
    public string? EncryptedSecrets { get; private set; }

    public DateOnly FirstDate => DateOnly.ParseExact(FirstDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public DateOnly LastDate => DateOnly.ParseExact(LastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string FileName => File.Name;

    public ExportFile File => ExportFile.For(Name, ExportType, Compression);

    /// <param name="run">The schedule and slot, when the job is a schedule's run.</param>
    /// <param name="encryptedWebhookSecret">The request's webhook key, encrypted; required when it has a webhook.</param>
    /// <param name="encryptedWebhookQuery">The webhook URL's query string, encrypted; required when the URL has one.</param>
    public static ExportJob Create(
        AccountId account, string id, ExportRequest request, DateTimeOffset createdAt, string? encryptedSecrets,
        string? encryptedWebhookSecret = null, string? encryptedWebhookQuery = null, ScheduledRun? run = null)
    {
        var job = new ExportJob
        {
            Account = account,
            Id = id,
            Name = request.Name,
            ExportType = request.ExportType,
            Layout = request.Layout,
            Compression = request.Compression,
            FirstDay = request.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            LastDay = request.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TotalItems = request.Audiences.Count,
            CreatedAt = createdAt,
            ScheduleId = run?.ScheduleId,
            ScheduleSlot = run?.Slot,
            EncryptedSecrets = encryptedSecrets,
        };
        job.SetDestination(request.Destination);
        if (request.Webhook is not null)
        {
            job.AttachWebhook(request.Webhook.StoredUrl,
                encryptedWebhookSecret ?? throw new ArgumentNullException(nameof(encryptedWebhookSecret)),
                request.Webhook.Query is null ? null : encryptedWebhookQuery ?? throw new ArgumentNullException(nameof(encryptedWebhookQuery)));
        }

        return job;
    }

    /// <summary>The non-secret destination, read back by its kind.</summary>
    public Destinations.DestinationSettings ToDestination(DestinationKinds kinds)
    {
        if (!kinds.TryFind(DestinationType, out var kind))
        {
            throw new InvalidOperationException($"Job {Id} has an unknown destination type.");
        }

        return DestinationSettings is null
            ? throw new InvalidOperationException($"Job {Id} has no destination settings.")
            : kind.ReadSettings(DestinationSettings);
    }

    /// <summary>Before the job is first saved: keeps a short audience list (JSON) in the row itself.</summary>
    internal void KeepAudiencesInRow(string json)
    {
        if (Status != JobStatus.Pending || Attempts > 0)
        {
            throw Illegal("change its audiences after it was created");
        }

        Audiences = json;
    }

    /// <summary>
    /// Brings a row written before settings were kept as JSON into the current shape, in memory; the next save
    /// writes it so (and drops the old per-field columns).
    /// </summary>
    internal void MigrateDestination(LegacyDestination legacy)
    {
        SetDestination(legacy.Settings);
        if (legacy.ResultDetails is not null)
        {
            // Carries an old row's result column over to its new home; not a change of the job's state.
            ResultDetails ??= JobResultDetails.ToJson(legacy.ResultDetails);
        }
    }

    private void SetDestination(Destinations.DestinationSettings settings)
    {
        DestinationType = settings.Type;
        Destination = settings.Summary;
        DestinationSettings = settings.ToJson();
    }
}
