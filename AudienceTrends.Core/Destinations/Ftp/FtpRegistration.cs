using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.Ftp;

public static class FtpRegistration
{
    public static IServiceCollection AddFtp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FtpOptions>(configuration, FtpOptions.SectionName, FtpOptions.Validate);
        return services.AddDestinationKind<FtpKind, FtpDestination, FtpProbe>();
    }
}
