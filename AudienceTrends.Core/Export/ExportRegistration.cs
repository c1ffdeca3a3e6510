using AudienceTrends.Core.Export.Formats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Export;

public static class ExportRegistration
{
    public static IServiceCollection AddExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DatabaseOptions>(configuration, DatabaseOptions.SectionName, DatabaseOptions.Validate);
        services.AddSingleton<IAudienceTrendSource, SqlAudienceTrendSource>();
        services.AddFileFormats(configuration);
        return services;
    }
}
