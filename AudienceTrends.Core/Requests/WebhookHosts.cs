using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.NetworkGuard;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// Which webhook receivers the service calls, checked when the request is accepted and again on every connection a
/// delivery opens (DNS may have changed since): a public address over https, or an address inside
/// <c>NetworkGuard:AllowedNetworks</c> over https or http. The connection goes to the address checked.
/// </summary>
public sealed class WebhookHosts(DestinationNetworkGuard guard)
{
    /// <summary>
    /// One answer whether the host does not exist or resolves only to refused addresses, so intake cannot be used to
    /// learn which internal names exist.
    /// </summary>
    private const string Refused =
        "has no usable address: its host does not resolve, or does not resolve to a public address; the service does not call " +
        "private, loopback, link-local or platform addresses unless an operator allows their network (NetworkGuard:AllowedNetworks).";

    private const string HttpRefused =
        "must use https; http is accepted only for receivers inside the networks an operator allows (NetworkGuard:AllowedNetworks).";

    /// <summary>At intake: what is wrong with calling <paramref name="url"/> (to follow "webhook.url "), or null.</summary>
    public async Task<string?> ProblemAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            await ResolveAsync(url.IdnHost, url.Port, url.Scheme, cancellationToken);
            return null;
        }
        catch (ExportFailedException e)
        {
            return e.Message;
        }
        catch (SocketException)
        {
            return Refused;
        }
    }

    /// <summary>A handler whose every connection is checked, that follows no redirect and uses no proxy.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectTimeout = connectTimeout,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = GuardedSocket.ConnectCallback((context, cancellationToken) =>
            ResolveAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port,
                context.InitialRequestMessage.RequestUri?.Scheme ?? Uri.UriSchemeHttp, cancellationToken)),
    };

    private async Task<IPAddress> ResolveAsync(string host, int port, string scheme, CancellationToken cancellationToken)
    {
        IPAddress address;
        try
        {
            address = await guard.ResolveAsync(host, port, cancellationToken);
        }
        catch (ExportFailedException e)
        {
            throw new ExportFailedException(e.Code, Refused, e);
        }

        if (scheme != Uri.UriSchemeHttps && !guard.IsInAllowedNetwork(address))
        {
            throw new ExportFailedException(ErrorCodes.HostNotAllowed, HttpRefused);
        }

        return address;
    }
}
