using System.Globalization;
using System.Runtime.Serialization;
using AudienceTrends.Core.Requests;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// One export job, stored as one row of the job table with plain columns an operator can read in the portal's
/// storage browser. The audience list lives in a blob (it can be larger than a row); the destination's
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

    public string Status { get; [Obsolete(SetByTransitions)] set; } = JobStatus.Pending;

    public string DestinationType { get; set; } = "aws";

    public string? DestinationServer { get; set; }

    public int? DestinationPort { get; set; }

    public string? DestinationUsername { get; set; }

    public string? DestinationSavedKey { get; set; }

    public string? DestinationHostKeyFingerprint { get; set; }

    public bool DestinationSecure { get; set; }

    public string? DestinationPath { get; set; }

    public string? DestinationBucket { get; set; }

    public string? DestinationRegion { get; set; }

    /// <summary>First day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string FirstDay { get; set; } = "";

    /// <summary>Last day of the timeframe, <c>yyyy-MM-dd</c>.</summary>
    public string LastDay { get; set; } = "";

    /// <summary>Audiences requested: the file's data rows.</summary>
    public int TotalItems { get; set; }

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

    public string? ResultHostKeyFingerprint { get; [Obsolete(SetByTransitions)] set; }

    public string? ErrorCode { get; [Obsolete(SetByTransitions)] set; }

    public string? ErrorMessage { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>The last transient failure, kept so the final error can say what kept failing.</summary>
    public string? LastError { get; [Obsolete(SetByTransitions)] set; }

    /// <summary>The destination's credentials, AES-256-GCM encrypted under a key from configuration.</summary>
    public string? EncryptedSecrets { get; set; }

    [IgnoreDataMember]
    public string Id => RowKey;

    [IgnoreDataMember]
    public DateOnly FirstDate => DateOnly.ParseExact(FirstDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [IgnoreDataMember]
    public DateOnly LastDate => DateOnly.ParseExact(LastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [IgnoreDataMember]
    public string FileName => Name + ".csv";

    public static ExportJob Create(string id, ExportRequest request, DateTimeOffset createdAt, string? encryptedSecrets)
    {
        var d = request.Destination;
        return new ExportJob
        {
            RowKey = id,
            Name = request.Name,
            ExportType = request.ExportType,
            DestinationType = d.Type.ToWireName(),
            DestinationServer = d.Server,
            DestinationPort = d.Port,
            DestinationUsername = d.Username,
            DestinationSavedKey = d.SavedKey,
            DestinationHostKeyFingerprint = d.HostKeyFingerprint,
            DestinationSecure = d.Secure,
            DestinationPath = d.Path,
            DestinationBucket = d.Type == Requests.DestinationType.Gcs ? d.GcsBucket : d.AwsBucket,
            DestinationRegion = d.AwsRegion,
            FirstDay = request.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            LastDay = request.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TotalItems = request.Audiences.Count,
            CreatedAt = createdAt,
            EncryptedSecrets = encryptedSecrets,
        };
    }

    /// <summary>The non-secret destination, rebuilt from the columns.</summary>
    public Destination ToDestination()
    {
        if (!DestinationTypeNames.TryParse(DestinationType, out var type))
        {
            throw new InvalidOperationException($"Job {RowKey} has an unknown destination type.");
        }

        return new Destination
        {
            Type = type,
            Server = DestinationServer,
            Port = DestinationPort,
            Username = DestinationUsername,
            SavedKey = DestinationSavedKey,
            HostKeyFingerprint = DestinationHostKeyFingerprint,
            Secure = DestinationSecure,
            Path = DestinationPath,
            AwsBucket = type == Requests.DestinationType.S3 ? DestinationBucket : null,
            AwsRegion = DestinationRegion,
            GcsBucket = type == Requests.DestinationType.Gcs ? DestinationBucket : null,
        };
    }
}
