using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Jobs;

public static class JobsRegistration
{
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        return services;
    }
}
