using System.Net;
using AudienceTrends.Core.Destinations.NetworkGuard;

namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>
/// Which hosts an <c>azureblob</c> destination may reach, checked on every connection the client opens: a
/// <c>*.blob.core.windows.net</c> name at a public address (https, enforced when the request is read), or any host,
/// over http or https, whose address is inside <c>NetworkGuard:AllowedNetworks</c> (an emulator or a private endpoint
/// the operator allowed). The connection goes to the address checked, never to a second DNS answer.
/// </summary>
public sealed class AzureBlobHosts(DestinationNetworkGuard guard)
{
    private const string AzureSuffix = ".blob.core.windows.net";

    public static bool IsAzureBlobHost(string host) =>
        host.EndsWith(AzureSuffix, StringComparison.OrdinalIgnoreCase) && host.Length > AzureSuffix.Length;

    /// <summary>The address to connect to for <paramref name="host"/>, or <see cref="ErrorCodes.HostNotAllowed"/>.</summary>
    public async Task<IPAddress> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        var address = await guard.ResolveAsync(host, port, cancellationToken);
        if (!IsAzureBlobHost(host) && !guard.IsInAllowedNetwork(address))
        {
            throw new ExportFailedException(ErrorCodes.HostNotAllowed,
                $"The destination host {host} is not an Azure Blob Storage host (*{AzureSuffix}); another host is reached only " +
                "when an operator allows its network with the NetworkGuard:AllowedNetworks setting.");
        }

        return address;
    }

    /// <summary>A handler whose every connection is checked by <see cref="ResolveAsync"/>.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = GuardedSocket.ConnectCallback((context, cancellationToken) =>
            ResolveAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken)),
    };
}
