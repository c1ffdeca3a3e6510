namespace AudienceTrends.Core.Requests;

/// <summary>Limits applied to incoming export requests. Section <c>Intake</c>.</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>Longest timeframe, in days, counting both ends.</summary>
    public int MaxTimeframeDays { get; set; } = 366;

    /// <summary>Most audiences one request may name.</summary>
    public int MaxAudiences { get; set; } = 1000;

    /// <summary>Largest request body accepted; larger bodies get 413.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}
