using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.Managed;

public static class ManagedStorageRegistration
{
    public static IServiceCollection AddManagedStorageDestination(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ManagedStorageOptions>(configuration, ManagedStorageOptions.SectionName, o => o.Validate());
        services.AddSingleton<IExportDestination, ManagedStorageDestination>();
        services.AddSingleton<DownloadLinks>();
        return services;
    }
}
