using AudienceTrends.Functions.Http;
using AudienceTrends.Functions.Ui;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// <c>GET /ui/...</c>: the Jobs page's static files, the one HTTP route without an account key (they carry no data:
/// the page's script calls the public API with the key the user signs in with). Every answer carries the page's
/// security headers: a Content-Security-Policy without inline script or style that allows only this origin, no
/// framing, no referrer, no content sniffing.
/// </summary>
public sealed class UiFunction
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    [Function(nameof(Ui))]
    public Task<IActionResult> Ui(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ui/{*path}")] HttpRequest request,
        string? path) =>
        Task.FromResult(Serve(request, path));

    private static IActionResult Serve(HttpRequest request, string? path)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.CacheControl = "no-cache";
        if (UiFiles.Find(path) is not { } file)
        {
            return TypedResults.NotFound().Action();
        }

        headers.ETag = file.ETag;
        if (request.Headers.IfNoneMatch.Contains(file.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified).Action();
        }

        return TypedResults.Bytes(file.Content, file.ContentType).Action();
    }
}
