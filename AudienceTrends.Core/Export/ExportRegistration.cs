using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Export;

public static class ExportRegistration
{
    public static IServiceCollection AddExport(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.AddSingleton<ExportWorker>();
        return services;
    }
}
