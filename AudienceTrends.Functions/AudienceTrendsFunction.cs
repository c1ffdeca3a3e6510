using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Requests;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// <c>GET /v2/audiencetrends?audiences=a&amp;audiences=b&amp;start=yyyy-MM-dd&amp;end=yyyy-MM-dd</c>: the account's daily
/// audience sizes, capped (<see cref="TrendPreview"/>); the Jobs page charts them before an export.
/// </summary>
public sealed class AudienceTrendsFunction(ApiKeyAuthenticator authenticator, TrendPreview preview)
{
    [Function(nameof(GetAudienceTrends))]
    public Task<IActionResult> GetAudienceTrends(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/audiencetrends")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => ReadAsync(request, account, cancellationToken));

    private async Task<IActionResult> ReadAsync(HttpRequest request, AccountId account, CancellationToken cancellationToken)
    {
        var (view, errors) = await preview.ReadAsync(
            account, [.. request.Query["audiences"]], request.Query["start"].FirstOrDefault(), request.Query["end"].FirstOrDefault(), cancellationToken);
        return view is null
            ? Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the query parameter.")
            : TypedResults.Ok(view).Action();
    }
}
