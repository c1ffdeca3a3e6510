using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Functions.Telemetry;

public static class TelemetryRegistration
{
    /// <summary>
    /// Application Insights for the worker (dependency tracking included), with every recorded URL's query string
    /// dropped (<see cref="UrlQueryRedactor"/>). The app's HTTP clients log no URL: the webhook client has no
    /// IHttpClientFactory loggers, the others are not factory clients.
    /// </summary>
    public static IServiceCollection AddAudienceTrendsTelemetry(this IServiceCollection services)
    {
        services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        services.AddApplicationInsightsTelemetryProcessor<UrlQueryRedactor>();
        return services;
    }
}
