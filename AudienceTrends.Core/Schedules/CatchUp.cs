namespace AudienceTrends.Core.Schedules;

/// <summary>
/// What a schedule does about slots it missed (the service was down, or the schedule paused): <c>latest</c> (the
/// default) runs the most recent slot once and lets the older ones go, <c>none</c> runs only a slot that is still on
/// time, <c>all</c> runs every missed slot, oldest first. Whatever the policy, a slot is decided once: the plan's
/// <see cref="CatchUpPlan.Through"/> is where the next pass starts.
/// </summary>
public sealed class CatchUp
{
    public const string Field = "catchUp";

    public static readonly CatchUp Latest = new("latest");
    public static readonly CatchUp None = new("none");
    public static readonly CatchUp All = new("all");

    private CatchUp(string wireName) => WireName = wireName;

    public static CatchUp Default => Latest;

    /// <summary>The name in requests and views.</summary>
    public string WireName { get; }

    /// <summary>The policy named <paramref name="wireName"/> (exact, lower case), or null with the problem phrased to follow the field's name.</summary>
    public static (CatchUp? Policy, string? Problem) Parse(string wireName) =>
        wireName switch
        {
            "latest" => (Latest, null),
            "none" => (None, null),
            "all" => (All, null),
            _ => (null, "must be \"latest\" (run the most recent missed slot once), \"none\" or \"all\"."),
        };

    /// <summary>
    /// The slots to run now: those of (<paramref name="after"/>, <paramref name="now"/>] this policy keeps.
    /// <paramref name="after"/> is the last decided slot (or when the schedule was created); a slot older than
    /// <paramref name="missedAfter"/> at <paramref name="now"/> is missed, a newer one is on time. <c>all</c> runs at
    /// most <paramref name="limit"/> slots per pass, and the plan then ends at the last of them. A slot's job id carries
    /// the slot's time and job maintenance deletes jobs by that time, so the caller keeps <paramref name="after"/> inside
    /// the jobs' retention (see <see cref="Backfill"/>).
    /// </summary>
    public CatchUpPlan Plan(ScheduleTiming timing, DateTimeOffset after, DateTimeOffset now, TimeSpan missedAfter, int limit)
    {
        if (this == All)
        {
            var (slots, _) = timing.After(after, now, limit);
            return new CatchUpPlan(slots, slots.Count > 0 ? slots[^1] : after);
        }

        if (timing.LatestAtOrBefore(now) is not { } latest || latest <= after)
        {
            return new CatchUpPlan([], after);
        }

        var onTime = now - latest <= missedAfter;
        return new CatchUpPlan(this == Latest || onTime ? [latest] : [], latest);
    }

    public override string ToString() => WireName;
}

/// <summary>What one pass over a schedule runs: <see cref="Run"/>, oldest first; every slot up to <see cref="Through"/> is decided.</summary>
public sealed record CatchUpPlan(IReadOnlyList<DateTimeOffset> Run, DateTimeOffset Through);
