using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AudienceTrends.Functions.Http;

/// <summary>
/// The Functions ASP.NET Core integration executes <see cref="IActionResult"/>s; the minimal-API
/// <see cref="IResult"/>s (TypedResults, RFC 9457 problem details) are simpler to build, so functions wrap them.
/// </summary>
public sealed class HttpResultAction(IResult result) : IActionResult
{
    public IResult Result { get; } = result;

    public Task ExecuteResultAsync(ActionContext context) => Result.ExecuteAsync(context.HttpContext);
}

public static class Problems
{
    public static IActionResult Action(this IResult result) => new HttpResultAction(result);

    /// <summary>400 with an <c>errors</c> object keyed by the JSON path of each offending field.</summary>
    public static IActionResult Validation(IDictionary<string, string[]> errors, string detail) =>
        TypedResults.ValidationProblem(errors, detail, title: "The request is not valid.").Action();

    public static IActionResult Status(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions).Action();

    /// <summary>429 with <c>Retry-After</c> (seconds, at least 1). ASP.NET Core has no default problem type for 429: RFC 6585 defines it.</summary>
    public static IActionResult TooManyRequests(HttpRequest request, TimeSpan retryAfter, string title, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: title,
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4").Action();
    }
}
