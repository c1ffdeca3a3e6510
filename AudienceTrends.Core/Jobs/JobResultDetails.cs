using System.Text.Json;

namespace AudienceTrends.Core.Jobs;

/// <summary>The job row's <see cref="ExportJob.ResultDetails"/> column: a destination's result details as a JSON object.</summary>
public static class JobResultDetails
{
    public static string? ToJson(IReadOnlyDictionary<string, string> details) =>
        details.Count == 0 ? null : JsonSerializer.Serialize(details);

    public static IReadOnlyDictionary<string, string> FromJson(string? json) =>
        json is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
