using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.Managed;

public static class ManagedStorageRegistration
{
    public static IServiceCollection AddManagedStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ManagedStorageOptions>(configuration, ManagedStorageOptions.SectionName, ManagedStorageOptions.Validate);
        services.AddSingleton<DownloadLinks>();
        services.AddSingleton<ManagedFiles>();
        return services.AddDestinationKind<ManagedKind, ManagedStorageDestination, ManagedProbe>();
    }
}
