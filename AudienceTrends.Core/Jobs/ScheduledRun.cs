namespace AudienceTrends.Core.Jobs;

/// <summary>Which schedule, and which of its slots (UTC), a job runs; what its view shows as <c>schedule</c>.</summary>
public sealed record ScheduledRun(string ScheduleId, DateTimeOffset Slot);
