namespace AudienceTrends.Core.Schedules;

/// <summary>Recurring exports: limits on what a schedule may ask for, and how the scheduler runs (section <c>Schedules</c>).</summary>
public sealed class SchedulesOptions
{
    public const string SectionName = "Schedules";

    /// <summary>The schedules: partition = account id, row key = schedule id.</summary>
    public string TableName { get; set; } = ScheduleTables.Schedules;

    /// <summary>The claimed slots, one row per (account, schedule, slot) that has a job.</summary>
    public string SlotsTableName { get; set; } = ScheduleTables.SlotClaims;

    /// <summary>The due index: the schedules by the minute of their next run.</summary>
    public string DueTableName { get; set; } = ScheduleTables.DueIndex;

    /// <summary>The shortest time allowed between two runs of a schedule, daylight-saving changes included.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most slots one backfill, or one <c>all</c> catch-up pass, may run.</summary>
    public int MaxBackfillSlots { get; set; } = 366;

    /// <summary>
    /// A slot not run within this long of its time counts as missed and follows the schedule's catch-up policy
    /// (<see cref="CatchUp"/>); one run earlier is on time and always runs.
    /// </summary>
    public TimeSpan MissedAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most schedules one account may have (a create beyond it gets 409).</summary>
    public int MaxPerAccount { get; set; } = 100;

    /// <summary>
    /// How far back a scheduler pass reads the due index by minute after the service was down. After a longer outage
    /// the pass reads every schedule once instead, so no schedule is ever left behind.
    /// </summary>
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many due schedules one scheduler pass handles at the same time.</summary>
    public int PassParallelism { get; set; } = 16;

    /// <summary>What is wrong with the settings, one sentence each.</summary>
    public static IEnumerable<string> Validate(SchedulesOptions options)
    {
        foreach (var (setting, name) in new[]
                 {
                     (nameof(TableName), options.TableName), (nameof(SlotsTableName), options.SlotsTableName), (nameof(DueTableName), options.DueTableName),
                 })
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length is < 3 or > 63 || !char.IsAsciiLetter(name[0]) || !name.All(char.IsAsciiLetterOrDigit))
            {
                yield return $"{setting} must be 3-63 letters or digits, starting with a letter.";
            }
        }

        if (new[] { options.TableName, options.SlotsTableName, options.DueTableName }.Distinct(StringComparer.OrdinalIgnoreCase).Count() < 3)
        {
            yield return "TableName, SlotsTableName and DueTableName must differ.";
        }

        if (options.MinInterval < TimeSpan.FromMinutes(1) || options.MinInterval > TimeSpan.FromDays(1))
        {
            yield return "MinInterval must be between 00:01:00 and 1.00:00:00.";
        }

        if (options.MaxBackfillSlots is < 1 or > 10_000)
        {
            yield return "MaxBackfillSlots must be between 1 and 10000.";
        }

        if (options.MissedAfter < TimeSpan.FromMinutes(1) || options.MissedAfter > TimeSpan.FromDays(1))
        {
            yield return "MissedAfter must be between 00:01:00 and 1.00:00:00.";
        }

        if (options.MaxPerAccount is < 1 or > 10_000)
        {
            yield return "MaxPerAccount must be between 1 and 10000.";
        }

        if (options.RecoveryWindow < TimeSpan.FromMinutes(5) || options.RecoveryWindow > TimeSpan.FromDays(2))
        {
            yield return "RecoveryWindow must be between 00:05:00 and 2.00:00:00.";
        }

        if (options.PassParallelism is < 1 or > 256)
        {
            yield return "PassParallelism must be between 1 and 256.";
        }
    }
}
