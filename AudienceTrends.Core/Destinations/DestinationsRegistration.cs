using AudienceTrends.Core.Destinations.AzureBlob;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Destinations.Probe;
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
    /// One line per destination kind; each folder registers its options, its <see cref="IDestinationKind"/>, its
    /// <see cref="IExportDestination"/> and its <see cref="IDestinationProbe"/>. The order is the order error messages list the wire names in.
    /// </summary>
    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<DestinationKinds>();
        services.TryAddSingleton<ExportDestinations>();
        services.AddNetworkGuard(configuration);
        services.AddDestinationTest(configuration);
        services.AddManagedStorage(configuration);
        services.AddFtp(configuration);
        services.AddSftp(configuration);
        services.AddS3(configuration);
        services.AddGcs(configuration);
        services.AddAzureBlob(configuration);
        return services;
    }

    /// <summary>
    /// Registers a kind, its delivery and its probe (<c>POST /v2/destinations/test</c>), once however often it is
    /// called: a kind cannot be registered without a probe.
    /// </summary>
    public static IServiceCollection AddDestinationKind<TKind, TDestination, TProbe>(this IServiceCollection services)
        where TKind : class, IDestinationKind
        where TDestination : class, IExportDestination
        where TProbe : class, IDestinationProbe
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationKind, TKind>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportDestination, TDestination>());
        return services.AddDestinationProbe<TProbe>();
    }
}
