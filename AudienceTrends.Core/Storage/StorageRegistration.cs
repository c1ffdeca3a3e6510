using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Storage;

public static class StorageRegistration
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName, o => o.Validate())
            .Configure(o => o.ConnectionString ??= configuration[StorageOptions.SectionName]);
        services.AddSingleton<StorageClients>();
        return services;
    }
}
