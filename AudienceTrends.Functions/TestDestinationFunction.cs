using System.Globalization;
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
/// validation) without exporting, and answers each step run with its outcome. Tests are limited per caller, per target
/// host and in number at once (<see cref="ProbeLimiter"/>): beyond that the answer is 429 with <c>Retry-After</c>.
/// </summary>
public sealed class TestDestinationFunction(
    ExportRequestParser parser, DestinationTester tester, ProbeLimiter limiter, IOptions<IntakeOptions> options)
{
    [Function(nameof(TestDestination))]
    public async Task<IActionResult> TestDestination(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/destinations/test")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (destination, errors) = await parser.ParseAndCheckDestinationAsync(body, cancellationToken);
        if (destination is null)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the JSON path of the field.");
        }

        var caller = CallerKey.Of(request);
        using var admission = limiter.TryAdmit(caller, tester.TargetOf(destination.Settings)?.Host);
        if (!admission.Admitted)
        {
            var seconds = (int)Math.Ceiling(admission.RetryAfter.TotalSeconds);
            request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture);
            // 429 has no default problem type in ASP.NET Core: RFC 6585 defines it.
            return TypedResults.Problem(admission.Refusal, statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many destination tests.", type: "https://www.rfc-editor.org/rfc/rfc6585#section-4").Action();
        }

        // ProbeReport serializes (web defaults) as the answer: {"ok", "steps": [{"name", "ok", "ms", "detail"}]}.
        return TypedResults.Ok(await tester.TestAsync(destination, caller, cancellationToken)).Action();
    }
}
