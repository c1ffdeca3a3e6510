using System.Text.Json;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// A message of the work queue: which account's job to run, <c>{"account":"acme","jobId":"..."}</c>, so the worker's
/// read is a point read in the account's partition. No secret and no request field: the worker reads the rest from
/// the row. A bare job id is a message queued before accounts existed, for <c>Accounts:LegacyAccount</c>'s job.
/// </summary>
public sealed record JobMessage(AccountId Account, string JobId)
{
    public static JobMessage For(ExportJob job) => new(job.Account, job.Id);

    public string ToText() => JsonSerializer.Serialize(new Wire(Account.Value, JobId));

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
            return JsonSerializer.Deserialize<Wire>(text) is { Account: { } account, JobId: { } jobId } &&
                   AccountId.TryParse(account, out var id) && JobIds.IsValid(jobId)
                ? new JobMessage(id, jobId)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Account.Value}/{JobId}";

    private sealed record Wire(
        [property: JsonPropertyName("account")] string? Account,
        [property: JsonPropertyName("jobId")] string? JobId);
}
