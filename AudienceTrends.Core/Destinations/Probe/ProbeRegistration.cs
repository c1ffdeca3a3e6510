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

    /// <summary>The tester that runs the kinds' probes (through <see cref="DestinationsRegistration.AddDestinationKind{TKind,TDestination,TProbe}"/>).</summary>
    internal static IServiceCollection AddDestinationTester(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DestinationTester>();
        return services;
    }
}
