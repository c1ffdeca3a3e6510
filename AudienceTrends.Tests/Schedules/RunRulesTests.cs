using AudienceTrends.Core.Schedules;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// A schedule's run rules as a request gives them: <c>overlap</c> (<c>skip</c> by default, or <c>queue</c>),
/// <c>suspendAfterFailures</c> (3 by default, 1 to 100), and the limits' settings.
/// </summary>
public sealed class RunRulesTests
{
    [TestCase("skip")]
    [TestCase("queue")]
    public void Each_overlap_rule_parses_from_its_wire_name(string wireName)
    {
        Assert.That(Overlap.Parse(wireName).Rule!.WireName, Is.EqualTo(wireName));
        Assert.That(Overlap.Default, Is.SameAs(Overlap.Skip));
    }

    [TestCase("Skip")]
    [TestCase("wait")]
    public void An_unknown_overlap_rule_is_refused(string wireName)
    {
        var (rule, problem) = Overlap.Parse(wireName);

        Assert.That(rule, Is.Null);
        Assert.That(problem, Does.StartWith("must be \"skip\""));
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(100)]
    public void A_failure_limit_from_1_to_100_is_taken(int count)
    {
        var limit = SuspendAfterFailures.Parse(count).Limit!;

        Assert.That(limit.Count, Is.EqualTo(count));
        Assert.That(limit.Suspends(count - 1), Is.False);
        Assert.That(limit.Suspends(count), Is.True);
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(101)]
    public void A_failure_limit_out_of_range_is_refused(int count)
    {
        var (limit, problem) = SuspendAfterFailures.Parse(count);

        Assert.That(limit, Is.Null);
        Assert.That(problem, Does.StartWith("must be between 1 and 100"));
    }

    [Test]
    public void The_default_failure_limit_suspends_on_the_third_failure_in_a_row()
    {
        Assert.That(SuspendAfterFailures.Default.Count, Is.EqualTo(3));
        Assert.That(SuspendAfterFailures.Default, Is.EqualTo(SuspendAfterFailures.Parse(3).Limit));
    }

    [Test]
    public void The_limits_defaults_are_valid_and_a_wrong_one_is_named()
    {
        Assert.That(SchedulesOptions.Validate(new SchedulesOptions()), Is.Empty);
        Assert.That(new SchedulesOptions().MinInterval, Is.EqualTo(TimeSpan.FromMinutes(15)));

        var wrong = new SchedulesOptions { MinInterval = TimeSpan.FromSeconds(10), MaxBackfillSlots = 0, MissedAfter = TimeSpan.FromDays(2) };
        Assert.That(SchedulesOptions.Validate(wrong), Has.Exactly(1).StartsWith("MinInterval")
            .And.Exactly(1).StartsWith("MaxBackfillSlots").And.Exactly(1).StartsWith("MissedAfter"));
    }
}
