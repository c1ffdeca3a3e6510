using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.NetworkGuard;

public static class NetworkGuardRegistration
{
    public static IServiceCollection AddNetworkGuard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<NetworkGuardOptions>(
            configuration, NetworkGuardOptions.SectionName, NetworkGuardOptions.Validate);
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OwnAddresses>();
        services.TryAddSingleton<DestinationNetworkGuard>();
        return services;
    }
}
