using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Export.Formats;

public static class FileFormatsRegistration
{
    public static IServiceCollection AddFileFormats(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FileFormatsOptions>(configuration, FileFormatsOptions.SectionName, FileFormatsOptions.Validate);
        services.AddSingleton<TrendCsvWriter>();
        services.AddSingleton<TrendFileWriters>();
        return services;
    }
}
