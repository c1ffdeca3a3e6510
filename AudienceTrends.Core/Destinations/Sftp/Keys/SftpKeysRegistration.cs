using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

public static class SftpKeysRegistration
{
    /// <summary>Saved SFTP keys: the options, the store <c>SftpKeys:Store</c> names, and <see cref="SftpKeys"/> as the lookup.</summary>
    public static IServiceCollection AddSftpKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<SftpKeysOptions>(configuration, SftpKeysOptions.SectionName, o => o.Validate());

        // The app's identity (in Azure AZURE_CLIENT_ID names the user-assigned one); built only for the KeyVault store.
        services.TryAddSingleton(provider => new SecretClient(
            new Uri(provider.GetRequiredService<IOptions<SftpKeysOptions>>().Value.VaultUri!), new DefaultAzureCredential()));
        services.TryAddSingleton<KeyNameReservations>();
        services.TryAddSingleton<ISftpKeyStore>(provider =>
            provider.GetRequiredService<IOptions<SftpKeysOptions>>().Value.UsesKeyVault
                ? ActivatorUtilities.CreateInstance<KeyVaultSftpKeyStore>(provider)
                : ActivatorUtilities.CreateInstance<TableSftpKeyStore>(provider));
        services.TryAddSingleton(provider => new Lazy<ISftpKeyStore>(provider.GetRequiredService<ISftpKeyStore>));
        services.TryAddSingleton<SftpKeys>();
        services.TryAddSingleton<ISavedKeyStore>(provider => provider.GetRequiredService<SftpKeys>());
        return services;
    }
}
