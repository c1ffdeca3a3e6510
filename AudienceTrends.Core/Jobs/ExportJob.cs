using System.Globalization;
using System.Runtime.Serialization;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Requests;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// One export job, stored as one row of the job table with plain columns an operator can read in the portal's
/// storage browser. The audience list lives in <see cref="Audiences"/> when short, else in a blob (see
/// <see cref="AudienceListStore"/>); the destination's
/// credentials only in <see cref="EncryptedSecrets"/>. The status and the columns that change with it are set only
/// by the transitions in ExportJob.Life.cs (and by the table SDK when it reads a row).
/// </summary>
public sealed partial class ExportJob : ITableEntity
{
    public const string Partition = "job";
    public const string ExportJobName = "audiencetrendsexport";

    public string PartitionKey { get; set; } = Partition;

    /// <summary>The job id (see <see cref="JobIds"/>).</summary>
    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string JobName { get; set; } = ExportJobName;

    public string Name { get; set; } = "";

    public string ExportType { get; set; } = "csv";

    /// <summary>The request's <c>compression</c> (<c>none</c>, <c>gzip</c>); null on rows written before it existed.</summary>
    public string? Compression { get; set; }

    public string Status { get; [Obsolete(SetByTransitions)] set; } = JobStatus.Pending;

    /// <summary>The destination kind's wire name (<c>aws</c>, <c>sftp</c>, ...).</summary>
    public string DestinationType { get; set; } = "aws";

    /// <summary>The destination in one readable line for operators, e.g. <c>sftp://user@host:22/folder</c>; never a secret.</summary>
    public string? Destination { get; set; }

    /// <summary>The destination's non-secret settings as JSON, written and read by its kind.</summary>
    public string? DestinationSettings { get; set; }

    /// <summary>First day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string FirstDay { get; set; } = "";

    /// <summary>Last day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string LastDay { get; set; } = "";

    /// <summary>Audiences requested: the file's data rows.</summary>
    public int TotalItems { get; set; }

    /// <summary>The audience list as a JSON array when short enough for the row; null when it is in a blob.</summary>
    public string? Audiences { get; set; }

    /// <summary>Audience rows written so far.</summary>
    public int CompletedItems { get; [Obsolete(SetByTransitions)] set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; [Obsolete(SetByTransitions)] set; }

    public DateTimeOffset? EndedAt { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>While Processing: until when the worker that claimed the job owns it.</summary>
    public DateTimeOffset? LeaseUntil { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>How many times a worker has claimed the job.</summary>
    public int Attempts { get; [Obsolete(SetByTransitions)] set; }

    public long? ResultRows { get; [Obsolete(SetByTransitions)] set; }

    public long? ResultBytes { get; [Obsolete(SetByTransitions)] set; }

    public string? ResultSha256 { get; [Obsolete(SetByTransitions)] set; }

    public string? ResultLocation { get; [Obsolete(SetByTransitions)] set; }

    public string? ResultFileName { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>Kind-specific facts about the delivery (SFTP: the host key seen), as a JSON object of strings.</summary>
    public string? ResultDetails { get; [Obsolete(SetByTransitions)] set; }

    public string? ErrorCode { get; [Obsolete(SetByTransitions)] set; }

    public string? ErrorMessage { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>While Processing: when the user asked to cancel; the worker stops at its next heartbeat.</summary>
    public DateTimeOffset? CancelRequestedAt { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>The last transient failure, kept so the final error can say what kept failing.</summary>
    public string? LastError { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>
    /// The destination's credentials, AES-256-GCM encrypted under a key from configuration; cleared when the job reaches
    /// a final state (nothing runs it again).
    /// </summary>
    public string? EncryptedSecrets { get; set; }

    [IgnoreDataMember]
    public string Id => RowKey;

    [IgnoreDataMember]
    public DateOnly FirstDate => DateOnly.ParseExact(FirstDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [IgnoreDataMember]
    public DateOnly LastDate => DateOnly.ParseExact(LastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [IgnoreDataMember]
    public string FileName => File.Name;

    [IgnoreDataMember]
    public ExportFile File => ExportFile.For(Name, Compression);

    /// <param name="encryptedWebhookSecret">The request's webhook key, encrypted; required when it has a webhook.</param>
    /// <param name="encryptedWebhookQuery">The webhook URL's query string, encrypted; required when the URL has one.</param>
    public static ExportJob Create(
        string id, ExportRequest request, DateTimeOffset createdAt, string? encryptedSecrets,
        string? encryptedWebhookSecret = null, string? encryptedWebhookQuery = null)
    {
        var job = new ExportJob
        {
            RowKey = id,
            Name = request.Name,
            ExportType = request.ExportType,
            Compression = request.Compression,
            FirstDay = request.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            LastDay = request.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TotalItems = request.Audiences.Count,
            CreatedAt = createdAt,
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
            throw new InvalidOperationException($"Job {RowKey} has an unknown destination type.");
        }

        return DestinationSettings is null
            ? throw new InvalidOperationException($"Job {RowKey} has no destination settings.")
            : kind.ReadSettings(DestinationSettings);
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
#pragma warning disable CS0618
            ResultDetails ??= JobResultDetails.ToJson(legacy.ResultDetails);
#pragma warning restore CS0618
        }
    }

    private void SetDestination(Destinations.DestinationSettings settings)
    {
        DestinationType = settings.Type;
        Destination = settings.Summary;
        DestinationSettings = settings.ToJson();
    }
}
