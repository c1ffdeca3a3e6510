namespace AudienceTrends.Core.Jobs;

/// <summary>The jobs resource's status vocabulary.</summary>
public static class JobStatus
{
    public const string Pending = "Pending";
    public const string Processing = "Processing";
    public const string Done = "Done";
    public const string Failed = "Failed";

    /// <summary>Stopped at the user's request (<c>POST /v2/jobs/{id}/cancel</c>); nothing is left at the destination.</summary>
    public const string Cancelled = "Cancelled";

    public static IReadOnlyList<string> All { get; } = [Pending, Processing, Done, Failed, Cancelled];

    public static bool IsFinal(string status) => status is Done or Failed or Cancelled;

    /// <summary>The canonical spelling of <paramref name="value"/>, matched case-insensitively.</summary>
    public static string? Normalize(string? value) =>
        All.FirstOrDefault(s => string.Equals(s, value, StringComparison.OrdinalIgnoreCase));
}
