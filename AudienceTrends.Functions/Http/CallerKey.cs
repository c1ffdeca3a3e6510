using System.Net;
using Microsoft.AspNetCore.Http;

namespace AudienceTrends.Functions.Http;

/// <summary>
/// Who is calling, for per-caller limits. There are no accounts yet, so it is the client address: the last hop of
/// <c>X-Forwarded-For</c> (the one the platform's front end appended; earlier hops are whatever the client sent, so
/// they are not trusted), else the connection's remote address. One function, so accounts can replace it.
/// </summary>
public static class CallerKey
{
    public static string Of(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        var last = forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (last is not null && Address(last) is { } address)
        {
            return address.ToString();
        }

        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    /// <summary>An address, with or without a port (<c>203.0.113.9:51234</c>, <c>[2001:db8::1]:443</c>), or null.</summary>
    private static IPAddress? Address(string hop) =>
        IPAddress.TryParse(hop, out var bare) ? bare
        : IPEndPoint.TryParse(hop, out var endpoint) ? endpoint.Address
        : null;
}
