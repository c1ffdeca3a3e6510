using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// A message of the work queue: which account's job to run, <c>{"account":"acme","jobId":"..."}</c>, so the worker's
/// read is a point read in the account's partition. No secret and no request field: the worker reads the rest from
/// the row. A bare job id is a message queued before accounts existed, for <c>Accounts:LegacyAccount</c>'s job.
/// <c>"traceparent"</c> (W3C) carries the job's trace across the queue hop when the sender was in a span; a message
/// without it (older, or sent outside any span) still works and starts its worker's span under the invocation's.
/// </summary>
public sealed record JobMessage(AccountId Account, string JobId)
{
    /// <summary>The W3C trace context of the span that sent the message; null when none.</summary>
    public string? TraceParent { get; init; }

    public static JobMessage For(ExportJob job, string? traceParent = null) => new(job.Account, job.Id) { TraceParent = traceParent };

    public string ToText() => JsonSerializer.Serialize(new Wire(Account.Value, JobId, TraceParent), WireOptions);

    /// <summary>Null for a message that is neither form (it names no job the worker could look up).</summary>
    public static JobMessage? TryParse(string text, AccountId legacyAccount)
    {
        text = text.Trim();
        if (JobIds.IsValid(text))
        {
            return new JobMessage(legacyAccount, text);
        }

        try
        {
            return JsonSerializer.Deserialize<Wire>(text) is { Account: { } account, JobId: { } jobId } wire &&
                   AccountId.TryParse(account, out var id) && JobIds.IsValid(jobId)
                ? new JobMessage(id, jobId) { TraceParent = wire.TraceParent is { Length: <= 128 } traceParent ? traceParent : null }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Account.Value}/{JobId}";

    private static readonly JsonSerializerOptions WireOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private sealed record Wire(
        [property: JsonPropertyName("account")] string? Account,
        [property: JsonPropertyName("jobId")] string? JobId,
        [property: JsonPropertyName("traceparent")] string? TraceParent);
}
