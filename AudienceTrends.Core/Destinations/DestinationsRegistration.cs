using AudienceTrends.Core.Destinations.AzureBlob;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Core.Destinations.Sftp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations;

public static class DestinationsRegistration
{
    /// <summary>
    /// One line per destination kind; each folder registers its options, its <see cref="IDestinationKind"/> and its
    /// <see cref="IExportDestination"/>. The order is the order error messages list the wire names in.
    /// </summary>
    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<DestinationKinds>();
        services.TryAddSingleton<ExportDestinations>();
        services.AddNetworkGuard(configuration);
        services.AddManagedStorage(configuration);
        services.AddFtp(configuration);
        services.AddSftp(configuration);
        services.AddS3(configuration);
        services.AddGcs(configuration);
        services.AddAzureBlob(configuration);
        return services;
    }

    /// <summary>Registers a kind and its delivery, once however often it is called.</summary>
    public static IServiceCollection AddDestinationKind<TKind, TDestination>(this IServiceCollection services)
        where TKind : class, IDestinationKind
        where TDestination : class, IExportDestination
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationKind, TKind>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportDestination, TDestination>());
        return services;
    }
}
