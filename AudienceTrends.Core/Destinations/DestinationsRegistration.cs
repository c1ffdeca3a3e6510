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
    /// One line per destination kind; each folder registers its options and, with one
    /// <see cref="AddDestinationKind{TKind,TDestination,TProbe}"/> call, its kind, delivery and probe. The order is the order error messages list the wire names in.
    /// </summary>
    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<DestinationKinds>();
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
    /// Registers a kind with its delivery and its probe, together (a kind cannot be registered without both), once
    /// however often it is called. The probe gets the kind's delivery through its constructor.
    /// </summary>
    public static IServiceCollection AddDestinationKind<TKind, TDestination, TProbe>(this IServiceCollection services)
        where TKind : class, IDestinationKind
        where TDestination : class, IExportDestination
        where TProbe : class, IDestinationProbe
    {
        if (services.Any(d => d.ServiceType == typeof(TKind)))
        {
            return services;
        }

        services.AddSingleton<TKind>();
        services.AddSingleton<TDestination>();
        services.AddSingleton<TProbe>();
        services.AddSingleton(provider => new RegisteredKind(provider.GetRequiredService<TKind>(),
            provider.GetRequiredService<TDestination>, provider.GetRequiredService<TProbe>));
        return services.AddDestinationTester();
    }
}
