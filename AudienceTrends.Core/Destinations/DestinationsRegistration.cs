using AudienceTrends.Core.Destinations.Managed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations;

public static class DestinationsRegistration
{
    /// <summary>One line per destination folder; each registers its options and its <see cref="IExportDestination"/>.</summary>
    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ExportDestinations>();
        services.AddManagedStorageDestination(configuration);
        return services;
    }
}
