using System.Globalization;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// One run time of one schedule of one account. Its job id is derived from the three (<see cref="JobIds.For"/>), so
/// every instance that claims the slot, and a claim retried after a crash, creates the same job: a slot can never
/// become two jobs. The id's time part is the slot's time, so a schedule's runs list by slot, newest first.
/// </summary>
public sealed record ScheduleSlot
{
    public ScheduleSlot(AccountId account, string scheduleId, DateTimeOffset time)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleId);
        Account = account;
        ScheduleId = scheduleId;
        Time = time.ToUniversalTime();
    }

    public AccountId Account { get; }

    public string ScheduleId { get; }

    /// <summary>The slot, in UTC.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The id of the slot's job: the same for the same account, schedule and slot, different for any other.</summary>
    public string JobId => JobIds.For(Time, Seed);

    // An account id holds no '/' and the time's round-trip form has a fixed shape, so no two slots share a seed.
    private string Seed => string.Create(CultureInfo.InvariantCulture, $"{Account.Value}/{ScheduleId}/{Time.UtcDateTime:O}");
}
