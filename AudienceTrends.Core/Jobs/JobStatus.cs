namespace AudienceTrends.Core.Jobs;

/// <summary>The jobs resource's status vocabulary.</summary>
public static class JobStatus
{
    public const string Pending = "Pending";
    public const string Processing = "Processing";
    public const string Done = "Done";
    public const string Failed = "Failed";

    public static IReadOnlyList<string> All { get; } = [Pending, Processing, Done, Failed];

    public static bool IsFinal(string status) => status is Done or Failed;

    /// <summary>The canonical spelling of <paramref name="value"/>, matched case-insensitively.</summary>
    public static string? Normalize(string? value) =>
        All.FirstOrDefault(s => string.Equals(s, value, StringComparison.OrdinalIgnoreCase));
}
