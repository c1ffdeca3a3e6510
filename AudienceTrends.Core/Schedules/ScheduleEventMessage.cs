using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A message of the webhook events queue for a schedule's own event (<c>schedule.suspended</c>): which schedule and
/// which event. It holds no body and no secret; the sender reads both from the schedule row, and a message whose event
/// is no longer the schedule's (it was resumed, or deleted) does nothing. Told apart from a job's event message by
/// its <c>scheduleId</c>.
/// </summary>
public sealed record ScheduleEventMessage(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("scheduleId")] string ScheduleId,
    [property: JsonPropertyName("eventId")] string EventId)
{
    public const string SuspendedType = "schedule.suspended";

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Null for a message that is not a schedule's event (a job's event, or not one of ours).</summary>
    public static ScheduleEventMessage? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<ScheduleEventMessage>(text) is { Account: not null, ScheduleId: not null, EventId: not null } message &&
                   AccountId.TryParse(message.Account, out _) && ScheduleTables.IsValidId(message.ScheduleId)
                ? message
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
