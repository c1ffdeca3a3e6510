using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.S3;

public static class S3Registration
{
    public static IServiceCollection AddS3(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<S3Options>(configuration, S3Options.SectionName, S3Options.Validate);
        return services.AddDestinationKind<S3Kind, S3Destination, S3Probe>();
    }
}
