using System.Globalization;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// <c>suspendAfterFailures</c>: after this many failed runs in a row a schedule is suspended (resume clears the count).
/// </summary>
public sealed record SuspendAfterFailures
{
    public const string Field = "suspendAfterFailures";
    public const int Min = 1;
    public const int Max = 100;

    private SuspendAfterFailures(int count) => Count = count;

    public static SuspendAfterFailures Default { get; } = new(3);

    public int Count { get; }

    /// <summary>The limit of <paramref name="count"/> failed runs, or null with the problem phrased to follow the field's name.</summary>
    public static (SuspendAfterFailures? Limit, string? Problem) Parse(int count) =>
        count is >= Min and <= Max
            ? (new SuspendAfterFailures(count), null)
            : (null, string.Create(CultureInfo.InvariantCulture, $"must be between {Min} and {Max}: the failed runs in a row after which the schedule is suspended."));

    /// <summary>Whether <paramref name="consecutiveFailures"/> failed runs in a row suspend the schedule.</summary>
    public bool Suspends(int consecutiveFailures) => consecutiveFailures >= Count;
}
