using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Accounts;

public static class AccountsRegistration
{
    /// <summary>Accounts and API keys: the options, the two stores, the authenticator and the operators' service.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<AccountsOptions>(configuration, AccountsOptions.SectionName, o => o.Validate());
        services.TryAddSingleton<AccountStore>();
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<ApiKeyAuthenticator>();
        services.TryAddSingleton<AccountsAdmin>();
        return services;
    }
}
