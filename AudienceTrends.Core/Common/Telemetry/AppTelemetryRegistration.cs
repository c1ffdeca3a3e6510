using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Common.Telemetry;

public static class AppTelemetryRegistration
{
    /// <summary>The app's metrics (<see cref="AppMetrics"/>) on the container's meter factory. Exporting them is the host's choice.</summary>
    public static IServiceCollection AddAppTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<AppMetrics>();
        return services;
    }
}
