using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations.Probe;
using AudienceTrends.Core.Requests;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Functions;

/// <summary>
/// <c>POST /v2/destinations/test</c>: checks a destination as an export request would give it (same object, same
/// validation) without exporting, and answers each step run with its outcome. Tests are limited per account, per target
/// host and in number at once (<see cref="ProbeLimiter"/>): beyond that the answer is 429 with <c>Retry-After</c>.
/// </summary>
public sealed class TestDestinationFunction(
    ApiKeyAuthenticator authenticator, ExportRequestParser parser, DestinationTester tester, ProbeLimiter limiter, IOptions<IntakeOptions> options)
{
    [Function(nameof(TestDestination))]
    public Task<IActionResult> TestDestination(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/destinations/test")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => TestAsync(request, account, cancellationToken));

    private async Task<IActionResult> TestAsync(HttpRequest request, AccountId account, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (destination, errors) = await parser.ParseAndCheckDestinationAsync(body, account, cancellationToken);
        if (destination is null)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the JSON path of the field.");
        }

        using var admission = limiter.TryAdmit(account.Value, tester.TargetOf(destination.Settings)?.Host);
        if (!admission.Admitted)
        {
            return Problems.TooManyRequests(request, admission.RetryAfter, "Too many destination tests.", admission.Refusal ?? "Too many destination tests.");
        }

        // ProbeReport serializes (web defaults) as the answer: {"ok", "steps": [{"name", "ok", "ms", "detail"}]}.
        return TypedResults.Ok(await tester.TestAsync(destination, account, cancellationToken)).Action();
    }
}
