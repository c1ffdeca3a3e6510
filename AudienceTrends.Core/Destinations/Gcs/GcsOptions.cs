using System.Text.Json;

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

    /// <summary>Longest time one HTTP request (one chunk) may take before it fails and the job is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    internal static IEnumerable<string> Validate(GcsOptions options)
    {
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            yield return "RequestTimeout must be between 00:00:01 and 01:00:00.";
        }

        if (!string.IsNullOrEmpty(options.BaseUri)
            && (!Uri.TryCreate(options.BaseUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return "BaseUri must be an absolute http or https URL.";
        }

        if (options.UnauthenticatedAccess && string.IsNullOrEmpty(options.BaseUri))
        {
            yield return "UnauthenticatedAccess is only for emulators: it requires BaseUri.";
        }

        if (options.UnauthenticatedAccess && !string.IsNullOrEmpty(options.CredentialsJson))
        {
            yield return "UnauthenticatedAccess and CredentialsJson cannot both be set.";
        }

        if (!string.IsNullOrEmpty(options.CredentialsJson) && !IsServiceAccountJson(options.CredentialsJson))
        {
            yield return "CredentialsJson must be a service account key (JSON with \"type\": \"service_account\").";
        }

        if (options.ChunkSizeBytes <= 0 || options.ChunkSizeBytes % ChunkGranularityBytes != 0
            || options.ChunkSizeBytes > 256 * 1024 * 1024)
        {
            yield return $"ChunkSizeBytes must be a positive multiple of {ChunkGranularityBytes} (256 KiB), at most 268435456.";
        }
    }

    private static bool IsServiceAccountJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type)
                && type.ValueKind == JsonValueKind.String
                && type.GetString() == "service_account";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
