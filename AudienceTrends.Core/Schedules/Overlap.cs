namespace AudienceTrends.Core.Schedules;

/// <summary>
/// What a slot does when the schedule's previous run is still active: <c>skip</c> (the default) records the slot as
/// skipped and runs nothing, <c>queue</c> queues its job behind the running one.
/// </summary>
public sealed class Overlap
{
    public const string Field = "overlap";

    public static readonly Overlap Skip = new("skip");
    public static readonly Overlap Queue = new("queue");

    private Overlap(string wireName) => WireName = wireName;

    public static Overlap Default => Skip;

    /// <summary>The name in requests and views.</summary>
    public string WireName { get; }

    /// <summary>The rule named <paramref name="wireName"/> (exact, lower case), or null with the problem phrased to follow the field's name.</summary>
    public static (Overlap? Rule, string? Problem) Parse(string wireName) =>
        wireName switch
        {
            "skip" => (Skip, null),
            "queue" => (Queue, null),
            _ => (null, "must be \"skip\" (a slot whose previous run is still active is skipped) or \"queue\"."),
        };

    public override string ToString() => WireName;
}
