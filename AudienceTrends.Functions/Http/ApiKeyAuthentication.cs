using System.Net;
using AudienceTrends.Core.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AudienceTrends.Functions.Http;

/// <summary>
/// What an HTTP function calls first: the caller's account, or the one 401 every refused request gets (same status,
/// header and body whatever the reason, so it tells nothing about which keys or accounts exist). A call, not worker
/// middleware, because the local host runs the function classes without the worker's middleware pipeline.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Challenge = "Basic realm=\"audiencetrends\"";

    public static async Task<(AccountId? Caller, IActionResult? Problem)> AuthenticateAsync(
        this ApiKeyAuthenticator authenticator, HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization;
        // Two Authorization headers are not one credential: joined, they parse as malformed.
        var authorization = header.Count == 0 ? null : string.Join(", ", header.ToArray());
        var result = await authenticator.AuthenticateAsync(authorization, ClientAddress(request, authenticator.ClientAddress), cancellationToken);
        return result.Succeeded ? (result.Account, null) : (null, Unauthorized());
    }

    /// <summary>
    /// Runs <paramref name="handle"/> for the caller's account, or answers the one 401 without running it: every
    /// customer route starts here, before it reads its body or route values.
    /// </summary>
    public static async Task<IActionResult> ForAccountAsync(
        this ApiKeyAuthenticator authenticator, HttpRequest request, CancellationToken cancellationToken, Func<AccountId, Task<IActionResult>> handle)
    {
        var (caller, problem) = await authenticator.AuthenticateAsync(request, cancellationToken);
        return problem ?? await handle(caller!.Value);
    }

    /// <summary>The client's address per <see cref="ClientAddressSource"/>; null when it is not known (no network then matches).</summary>
    public static IPAddress? ClientAddress(HttpRequest request, ClientAddressSource source) =>
        source == ClientAddressSource.Connection
            ? request.HttpContext.Connection.RemoteIpAddress is { } remote ? ClientNetworks.Normalize(remote) : null
            : ClientNetworks.ParseClientIp(request.Headers[ClientNetworks.FrontEndHeader].ToArray());

    public static IActionResult Unauthorized() => new UnauthorizedResult().Action();

    private sealed class UnauthorizedResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = Challenge;
            return TypedResults.Problem(
                "Send an API key of your account: Authorization: Basic base64(<key>:) (the key as user name, empty password) " +
                "or Authorization: Bearer <key>.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized").ExecuteAsync(httpContext);
        }
    }
}
