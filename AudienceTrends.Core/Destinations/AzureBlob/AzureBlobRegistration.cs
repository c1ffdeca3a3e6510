using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Destinations.AzureBlob;

public static class AzureBlobRegistration
{
    public static IServiceCollection AddAzureBlob(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AzureBlobOptions>(configuration, AzureBlobOptions.SectionName, AzureBlobOptions.Validate);
        services.TryAddSingleton<AzureBlobHosts>();
        return services.AddDestinationKind<AzureBlobKind, AzureBlobDestination, AzureBlobProbe>();
    }
}
