using AudienceTrends.Core.Webhooks;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>The back-off: waits double up to the cap, and the defaults spread their attempts over about an hour.</summary>
public class WebhookOptionsTests
{
    [Test]
    public void Waits_double_from_the_base_delay_up_to_the_cap()
    {
        var options = new WebhookOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromSeconds(60) };

        var waits = Enumerable.Range(1, 6).Select(options.DelayAfter).Select(d => d.TotalSeconds);

        Assert.That(waits, Is.EqualTo(new[] { 10, 20, 40, 60, 60, 60 }));
        Assert.That(options.DelayAfter(1000), Is.EqualTo(TimeSpan.FromSeconds(60)), "no overflow far out");
    }

    [Test]
    public void The_defaults_try_at_least_five_times_over_about_an_hour_within_ten_seconds_each()
    {
        var options = new WebhookOptions();

        var span = Enumerable.Range(1, options.MaxAttempts - 1).Select(options.DelayAfter).Aggregate(TimeSpan.Zero, (a, b) => a + b);

        Assert.That(options.MaxAttempts, Is.GreaterThanOrEqualTo(5));
        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(span, Is.InRange(TimeSpan.FromMinutes(45), TimeSpan.FromMinutes(75)), "first to last attempt");
        Assert.That(WebhookOptions.Validate(options), Is.Empty);
    }

    [Test]
    public void Every_wrong_setting_is_named_at_once()
    {
        var options = new WebhookOptions
        {
            QueueName = "Hooks!", Timeout = TimeSpan.Zero, MaxAttempts = 2,
            RetryBaseDelay = TimeSpan.FromHours(2), RetryMaxDelay = TimeSpan.FromDays(2),
        };

        var problems = WebhookOptions.Validate(options).ToList();

        Assert.That(problems.Select(p => p.Split(' ')[0]),
            Is.EquivalentTo(new[] { "QueueName", "Timeout", "MaxAttempts", "RetryMaxDelay" }));
    }
}
