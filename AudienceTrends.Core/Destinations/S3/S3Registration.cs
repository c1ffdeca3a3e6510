using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.S3;

public static class S3Registration
{
    public static IServiceCollection AddS3(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<S3Options>(configuration, S3Options.SectionName, Validate);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportDestination, S3Destination>());
        return services;
    }

    internal static IEnumerable<string> Validate(S3Options options)
    {
        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            yield return "ServiceUrl must be an absolute http or https URL.";
        }

        if (options.PartSizeBytes is < S3Options.MinimumPartSizeBytes or > S3Options.MaximumPartSizeBytes)
        {
            yield return $"PartSizeBytes must be between {S3Options.MinimumPartSizeBytes} (5 MiB) and {S3Options.MaximumPartSizeBytes}.";
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            yield return "RequestTimeout must be positive.";
        }
    }
}
