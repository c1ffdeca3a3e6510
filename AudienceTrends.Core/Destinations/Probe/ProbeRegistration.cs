using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.Probe;

public static class ProbeRegistration
{
    /// <summary>The tester that runs the kinds' probes (through <see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>).</summary>
    internal static IServiceCollection AddDestinationTester(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DestinationTester>();
        return services;
    }
}
