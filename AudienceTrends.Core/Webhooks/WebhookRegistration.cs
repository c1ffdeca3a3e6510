using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Webhooks;

public static class WebhookRegistration
{
    /// <summary>The <c>Webhooks</c> options, the events queue, the sender and its guarded HTTP client.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<WebhookOptions>(configuration, WebhookOptions.SectionName, WebhookOptions.Validate);
        services.TryAddSingleton<WebhookQueue>();
        services.AddMonitoredQueues(provider => MonitoredQueues.WithPoison(provider.GetRequiredService<IOptions<WebhookOptions>>().Value.QueueName));
        services.TryAddSingleton<IJobEvents>(provider => provider.GetRequiredService<WebhookQueue>());
        services.TryAddSingleton<WebhookPost>();
        services.TryAddSingleton<WebhookSender>();
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => provider.GetRequiredService<WebhookHosts>()
                .CreateHandler(provider.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout))
            .RemoveAllLoggers();
        return services;
    }
}
