using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Core.Destinations.Sftp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations;

public static class DestinationsRegistration
{
    /// <summary>One line per destination folder; each registers its options and its <see cref="IExportDestination"/>.</summary>
    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ExportDestinations>();
        services.AddNetworkGuard(configuration);
        services.AddManagedStorageDestination(configuration);
        services.AddSftp(configuration);
        services.AddFtp(configuration);
        services.AddS3(configuration);
        services.AddGcs(configuration);
        return services;
    }
}
