using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Core.Storage;
using AudienceTrends.Core.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the service needs, one area at a time, in the order a request meets them.</summary>
    public static IServiceCollection AddAudienceTrends(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        // IHttpClientFactory's default loggers write every request's URL, whose query may be a credential (a
        // receiver's token, a signature): no factory client of the app logs its requests.
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());
        services.AddStorage(configuration);
        services.AddAccounts(configuration);
        services.AddRequests(configuration);
        services.AddJobs(configuration);
        services.AddExport(configuration);
        services.AddDestinations(configuration);
        services.AddWebhooks(configuration);
        services.AddSchedules(configuration);
        return services;
    }
}
