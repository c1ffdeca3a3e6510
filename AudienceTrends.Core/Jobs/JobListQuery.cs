using System.Globalization;
using System.Text;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The filters and paging of <c>GET /v2/jobs</c>: <c>jobName</c>, <c>status</c>, <c>scheduleId</c>,
/// <c>times[start][gt|gte|lt|lte]</c> (ISO 8601), <c>limit</c> (1-100, default 25) and <c>continuationToken</c>.
/// </summary>
public sealed record JobListQuery
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;

    private static readonly Dictionary<string, string> StartOperators = new(StringComparer.Ordinal)
    {
        ["times[start][gt]"] = "gt",
        ["times[start][gte]"] = "ge",
        ["times[start][lt]"] = "lt",
        ["times[start][lte]"] = "le",
    };

    public string? JobName { get; init; }

    public string? Status { get; init; }

    /// <summary>Only the runs of this schedule (<c>scheduleId</c>).</summary>
    public string? ScheduleId { get; init; }

    /// <summary>Table-query operator and bound, for each <c>times[start]</c> filter given.</summary>
    public IReadOnlyList<(string Operator, DateTimeOffset Value)> StartedAt { get; init; } = [];

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The table's own continuation token (decoded).</summary>
    public string? ContinuationToken { get; init; }

    public static JobListQuery Parse(IEnumerable<KeyValuePair<string, string?>> parameters, RequestErrors errors)
    {
        var query = new JobListQuery();
        var started = new List<(string, DateTimeOffset)>();
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "jobName":
                    query = query with { JobName = value };
                    break;
                case "status":
                    var status = JobStatus.Normalize(value);
                    if (status is null)
                    {
                        errors.Add(key, $"status must be one of {string.Join(", ", JobStatus.All)}.");
                    }

                    query = query with { Status = status };
                    break;
                case "scheduleId":
                    if (!ScheduledRun.IsValidScheduleId(value))
                    {
                        errors.Add(key, $"scheduleId must be a schedule's id: 1 to {ScheduledRun.MaxScheduleIdLength} ASCII letters, digits, dashes or underscores.");
                    }

                    query = query with { ScheduleId = value };
                    break;
                case "limit":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
                    {
                        errors.Add(key, $"limit must be a whole number from 1 to {MaxLimit}.");
                    }

                    query = query with { Limit = limit };
                    break;
                case "continuationToken":
                    var token = DecodeToken(value);
                    if (token is null)
                    {
                        errors.Add(key, "continuationToken is not one this service issued.");
                    }

                    query = query with { ContinuationToken = token };
                    break;
                default:
                    if (StartOperators.TryGetValue(key, out var op))
                    {
                        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
                                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var bound))
                        {
                            started.Add((op, bound));
                        }
                        else
                        {
                            errors.Add(key, $"{key} must be an ISO 8601 date or date-time, e.g. 2026-01-31T00:00:00Z.");
                        }
                    }

                    break;
            }
        }

        return query with { StartedAt = started };
    }

    /// <summary>
    /// True for the filters and paging size a next-page link carries over: never anything else from the query string
    /// (such as the function key <c>code</c>), which must not be echoed back in a header.
    /// </summary>
    public static bool IsCarriedToNextPage(string key) =>
        key is "jobName" or "status" or "scheduleId" or "limit" || StartOperators.ContainsKey(key);

    /// <summary>The continuation token as handed to clients: URL-safe base64 of the table's token.</summary>
    public static string? EncodeToken(string? tableToken) =>
        tableToken is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(tableToken)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return decoded.Contains(' ', StringComparison.Ordinal) ? decoded : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
