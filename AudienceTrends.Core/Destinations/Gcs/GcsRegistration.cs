using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.Gcs;

public static class GcsRegistration
{
    public static IServiceCollection AddGcs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<GcsOptions>(configuration, GcsOptions.SectionName, Validate);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportDestination, GcsDestination>());
        return services;
    }

    internal static IEnumerable<string> Validate(GcsOptions options)
    {
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

        if (options.ChunkSizeBytes <= 0 || options.ChunkSizeBytes % GcsOptions.ChunkGranularityBytes != 0
            || options.ChunkSizeBytes > 256 * 1024 * 1024)
        {
            yield return $"ChunkSizeBytes must be a positive multiple of {GcsOptions.ChunkGranularityBytes} (256 KiB), at most 268435456.";
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
