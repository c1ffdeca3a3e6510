using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.Probe;

public static class ProbeRegistration
{
    /// <summary>The destination test's limits (<see cref="DestinationTestOptions"/>) and the limiter that admits tests.</summary>
    public static IServiceCollection AddDestinationTest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DestinationTestOptions>(configuration, DestinationTestOptions.SectionName, DestinationTestOptions.Validate);
        services.TryAddSingleton<ProbeLimiter>();
        return services;
    }

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
