using AudienceTrends.Core.Health;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// <c>GET /v2/health</c>: storage, queues and SQL reachable, 200 or 503. Public (a load balancer or an uptime probe
/// calls it without credentials), so it answers the status alone. <c>GET /v2/health/details</c> is the operators'
/// (the host's master key): every check, each queue's depth and oldest message, the age of the oldest queued job.
/// </summary>
public sealed class HealthFunctions(ServiceHealth health)
{
    [Function(nameof(GetHealth))]
    public async Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health")] HttpRequest request)
    {
        var report = await health.CheckAsync();
        return Answer(request, report, new { status = Status(report) });
    }

    [Function(nameof(GetHealthDetails))]
    public async Task<IActionResult> GetHealthDetails(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v2/health/details")] HttpRequest request)
    {
        var report = await health.CheckAsync();
        return Answer(request, report, new
        {
            status = Status(report),
            checkedAt = report.CheckedAt,
            oldestQueuedJobAgeSeconds = report.OldestQueuedJobAge is { } age ? Math.Round(age.TotalSeconds, 1) : (double?)null,
            checks = report.Checks.Select(c => new { name = c.Name, healthy = c.Healthy, ms = c.Milliseconds, detail = c.Detail }),
            queues = report.Queues.Select(q => new
            {
                name = q.Name,
                depth = q.Depth,
                oldestAgeSeconds = q.OldestAge is { } oldest ? Math.Round(oldest.TotalSeconds, 1) : (double?)null,
            }),
        });
    }

    private static string Status(HealthReport report) => report.Healthy ? "healthy" : "unhealthy";

    private static IActionResult Answer(HttpRequest request, HealthReport report, object body)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable).Action();
    }
}
