using AudienceTrends.Core.Jobs;

namespace AudienceTrends.Tests.Jobs;

/// <summary>Job ids: valid, newest first in key order, and, for a seeded id, the same for the same seed.</summary>
public sealed class JobIdsTests
{
    private static readonly DateTimeOffset Time = new(2026, 12, 3, 14, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_seeded_id_is_valid_and_the_same_for_the_same_time_and_seed()
    {
        var id = JobIds.For(Time, "demo/sch1/slot");

        Assert.That(JobIds.IsValid(id), Is.True, id);
        Assert.That(JobIds.For(Time, "demo/sch1/slot"), Is.EqualTo(id));
        // The first 12 hex digits of SHA-256("demo/sch1/slot"), after the time part a random id has too.
        Assert.That(id[12..], Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("demo/sch1/slot"u8))[..12]));
        Assert.That(id[..12], Is.EqualTo(JobIds.New(Time)[..12]));
    }

    [Test]
    public void Another_seed_gives_another_id_with_the_same_time_part()
    {
        var one = JobIds.For(Time, "demo/sch1/slot");
        var other = JobIds.For(Time, "demo/sch2/slot");

        Assert.That(other, Is.Not.EqualTo(one));
        Assert.That(other[..12], Is.EqualTo(one[..12]));
    }

    [Test]
    public void A_later_time_sorts_first_and_below_the_bound_for_its_time()
    {
        var later = JobIds.For(Time.AddMilliseconds(1), "x");
        var earlier = JobIds.For(Time, "x");

        Assert.That(string.CompareOrdinal(later, earlier), Is.LessThan(0));
        Assert.That(string.CompareOrdinal(earlier, JobIds.UpperBoundFor(Time)), Is.LessThanOrEqualTo(0));
        Assert.That(string.CompareOrdinal(JobIds.For(Time.AddMilliseconds(-1), "x"), JobIds.UpperBoundFor(Time)), Is.GreaterThan(0));
    }
}
