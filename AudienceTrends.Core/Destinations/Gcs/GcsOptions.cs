namespace AudienceTrends.Core.Destinations.Gcs;

/// <summary>How the service talks to Google Cloud Storage. Section <c>Gcs</c>.</summary>
public sealed class GcsOptions
{
    public const string SectionName = "Gcs";

    /// <summary>Resumable upload chunks must be a multiple of this.</summary>
    public const int ChunkGranularityBytes = 256 * 1024;

    /// <summary>JSON API endpoint override (<c>http://127.0.0.1:4443/storage/v1/</c>) for emulators; empty means Google.</summary>
    public string? BaseUri { get; set; }

    /// <summary>
    /// The service account key JSON the service writes with (a Key Vault reference in Azure). Empty means Google's
    /// default credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, ...).
    /// </summary>
    public string? CredentialsJson { get; set; }

    /// <summary>Send no credentials at all: only for an emulator behind <see cref="BaseUri"/>.</summary>
    public bool UnauthenticatedAccess { get; set; }

    /// <summary>Size of each resumable upload request; also the memory one upload holds.</summary>
    public int ChunkSizeBytes { get; set; } = 8 * 1024 * 1024;
}
