using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Schedules;

public static class SchedulesRegistration
{
    public static IServiceCollection AddSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SchedulesOptions>(configuration, SchedulesOptions.SectionName, SchedulesOptions.Validate);
        services.AddSingleton<ScheduleRequestParser>();
        services.AddSingleton(sp => new ScheduleDueIndex(Storage(sp), Options(sp).DueTableName));
        services.AddSingleton(sp => new ScheduleStore(Storage(sp), sp.GetRequiredService<ScheduleDueIndex>(), Options(sp).TableName));
        services.AddSingleton(sp => new ScheduleSlotClaims(Storage(sp), Options(sp).SlotsTableName));
        services.AddSingleton<ScheduleViews>();
        services.AddSingleton<ScheduleRuns>();
        services.AddSingleton<ScheduleEvents>();
        services.AddSingleton<ScheduleOutcomes>();
        services.AddSingleton<IScheduledRunOutcomes>(sp => sp.GetRequiredService<ScheduleOutcomes>());
        services.AddSingleton<ScheduleCommands>();
        services.AddSingleton<Scheduler>();
        return services;
    }

    private static StorageClients Storage(IServiceProvider services) => services.GetRequiredService<StorageClients>();

    private static SchedulesOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<SchedulesOptions>>().Value;
}
