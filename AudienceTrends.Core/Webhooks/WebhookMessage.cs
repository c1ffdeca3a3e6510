using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Webhooks;

/// <summary>
/// A message of the events queue: which job's event to deliver and which attempt this is. It holds no body and no
/// secret; the sender reads both from the job row. A message whose event or attempt is no longer the row's is stale
/// (a duplicate, or one for an event already settled) and does nothing.
/// </summary>
/// <param name="Account">The job's account; null in a message queued before accounts existed (the legacy account's job).</param>
/// <param name="TraceParent">The W3C trace context of the span that queued it (the job's trace); absent in older messages.</param>
public sealed record WebhookMessage(
    [property: JsonPropertyName("account")] string? Account,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("traceparent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceParent = null)
{
    /// <summary>The job's account: <see cref="Account"/>, or <paramref name="legacyAccount"/> for an old message.</summary>
    public AccountId AccountOr(AccountId legacyAccount) => Account is null ? legacyAccount : AccountId.Parse(Account);

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Null for a message that is not one of ours.</summary>
    public static WebhookMessage? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<WebhookMessage>(text) is { JobId: not null, EventId: not null } message &&
                   (message.Account is null || AccountId.TryParse(message.Account, out _))
                ? message
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
