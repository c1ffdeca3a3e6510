using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Health;

public static class HealthRegistration
{
    /// <summary>The health check behind <c>GET /v2/health</c> (it reads the areas' monitored queues).</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddSingleton<ServiceHealth>();
        return services;
    }
}
