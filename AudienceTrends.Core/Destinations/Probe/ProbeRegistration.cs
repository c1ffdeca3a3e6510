using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.Probe;

public static class ProbeRegistration
{
    /// <summary>Registers a kind's probe (through <see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>) and the tester that runs it.</summary>
    internal static IServiceCollection AddDestinationProbe<TProbe>(this IServiceCollection services)
        where TProbe : class, IDestinationProbe
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DestinationTester>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationProbe, TProbe>());
        return services;
    }
}
