namespace AudienceTrends.Core.Webhooks;

/// <summary>
/// Section <c>Webhooks</c>: how a job's completion event is delivered. With the defaults an event is tried 6 times:
/// at once, then after 2, 4, 8, 16 and 30 minutes, about an hour in all.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>The queue trigger's binding expression: the host reads the queue name from this setting.</summary>
    public const string QueueNameExpression = "%" + SectionName + ":" + nameof(QueueName) + "%";

    /// <summary>Where the host moves a message whose handling failed <c>maxDequeueCount</c> times: the queue's name plus <c>-poison</c>.</summary>
    public const string PoisonQueueNameExpression = QueueNameExpression + "-poison";

    /// <summary>The events queue; a message carries a job id, an event id and an attempt number, never the body or the secret.</summary>
    public string QueueName { get; set; } = "webhook-events";

    /// <summary>Longest time one delivery attempt may take, connecting included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts before the event is given up (Failed).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed attempt; each later wait doubles, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The wait before the next attempt once <paramref name="failedAttempts"/> attempts have failed.</summary>
    public TimeSpan DelayAfter(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var doublings = Math.Min(failedAttempts - 1, 30);
        var delay = RetryBaseDelay * Math.Pow(2, doublings);
        return delay < RetryMaxDelay ? delay : RetryMaxDelay;
    }

    internal static IEnumerable<string> Validate(WebhookOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.QueueName) || options.QueueName.Length is < 3 or > 56 ||
            !options.QueueName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            yield return "QueueName must be 3-56 lower-case letters, digits or dashes (the poison queue adds \"-poison\").";
        }

        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(1))
        {
            yield return "Timeout must be between 00:00:01 and 00:01:00.";
        }

        if (options.MaxAttempts is < 5 or > 20)
        {
            yield return "MaxAttempts must be between 5 and 20.";
        }

        if (options.RetryBaseDelay < TimeSpan.FromSeconds(1) || options.RetryBaseDelay > options.RetryMaxDelay)
        {
            yield return "RetryBaseDelay must be at least 00:00:01 and not more than RetryMaxDelay.";
        }

        // A queue message can be hidden for at most 7 days.
        if (options.RetryMaxDelay > TimeSpan.FromDays(1))
        {
            yield return "RetryMaxDelay must be at most 1.00:00:00.";
        }
    }
}
