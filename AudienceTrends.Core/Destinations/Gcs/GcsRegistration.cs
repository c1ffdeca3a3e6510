using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.Gcs;

public static class GcsRegistration
{
    public static IServiceCollection AddGcs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<GcsOptions>(configuration, GcsOptions.SectionName, GcsOptions.Validate);
        return services.AddDestinationKind<GcsKind, GcsDestination, GcsProbe>();
    }
}
