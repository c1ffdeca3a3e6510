using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.Sftp;

public static class SftpRegistration
{
    public static IServiceCollection AddSftp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SftpOptions>(configuration, SftpOptions.SectionName, SftpOptions.Validate);
        services.TryAddSingleton<ISavedKeyStore, ConfigurationSavedKeyStore>();
        return services.AddDestinationKind<SftpKind, SftpDestination, SftpProbe>();
    }
}
