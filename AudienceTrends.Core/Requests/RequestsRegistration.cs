using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AudienceTrends.Core.Requests;

public static class RequestsRegistration
{
    public static IServiceCollection AddRequests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IntakeOptions>(configuration, IntakeOptions.SectionName, Validate);
        services.AddSingleton<ExportRequestParser>();
        services.TryAddSingleton<WebhookHosts>();
        services.AddSingleton<TrendPreview>();
        return services;
    }

    private static IEnumerable<string> Validate(IntakeOptions options)
    {
        if (options.MaxTimeframeDays is < 1 or > 3660)
        {
            yield return "MaxTimeframeDays must be between 1 and 3660.";
        }

        if (options.MaxAudiences is < 1 or > 100_000)
        {
            yield return "MaxAudiences must be between 1 and 100000.";
        }

        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return "MaxBodyBytes must be between 1024 and 67108864.";
        }
    }
}
