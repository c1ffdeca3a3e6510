using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

public static class JobsRegistration
{
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<JobsOptions>(configuration, JobsOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<SecretProtectionOptions>(configuration, SecretProtectionOptions.SectionName, o => o.Validate());
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobUpdates>();
        services.AddSingleton<JobQueue>();
        services.AddMonitoredQueues(provider => MonitoredQueues.WithPoison(provider.GetRequiredService<IOptions<JobsOptions>>().Value.QueueName));
        services.AddSingleton<AudienceListStore>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<ExportIntake>();
        services.AddSingleton<JobViews>();
        services.AddSingleton<JobMaintenance>();
        services.AddSingleton<ExpiredLeaseSweep>();
        services.AddSingleton<JobCancellation>();
        services.AddSingleton<AccountRunningLimit>();
        services.AddSingleton<ExportWorker>();
        return services;
    }
}
