using AudienceTrends.Core.Destinations.Sftp.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core.Destinations.Sftp;

public static class SftpRegistration
{
    public static IServiceCollection AddSftp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SftpOptions>(configuration, SftpOptions.SectionName, SftpOptions.Validate);
        services.AddSftpKeys(configuration);
        return services.AddDestinationKind<SftpKind, SftpDestination, SftpProbe>();
    }
}
