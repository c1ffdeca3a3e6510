using System.Net;
using System.Security.Cryptography;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// Who is calling: the account of the API key in the <c>Authorization</c> header, or <see cref="Authentication.Refused"/>.
/// One point read finds the key by its id, the secret's hash is compared in constant time, then the key's revocation,
/// expiry and allowed networks and its account (a second point read, on the account's own partition) are checked.
/// Every failure is the same single outcome; the reason goes only to a log line, with the key id at most (never the
/// key or its secret). Host-agnostic: a function passes the header value and the client address
/// (<see cref="ClientNetworks"/>).
/// </summary>
public sealed class ApiKeyAuthenticator(
    ApiKeyStore keys, AccountStore accounts, IOptions<AccountsOptions> options, TimeProvider time, ILogger<ApiKeyAuthenticator> logger)
{
    /// <summary>Last-used is written at most this often per key, so a busy key costs no write per request.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public ClientAddressSource ClientAddress => options.Value.ClientAddress;

    public async Task<Authentication> AuthenticateAsync(string? authorization, IPAddress? client, CancellationToken cancellationToken)
    {
        if (ApiKeyCredentials.TryRead(authorization, out var keyId, out var secret) is { } unreadable)
        {
            return Refuse(unreadable, null);
        }

        try
        {
            // An unknown id answers a little sooner than a wrong secret; ids are 96 random bits, so that tells an
            // attacker nothing they could use, and the answer itself is the same.
            var stored = await keys.GetAsync(keyId, cancellationToken);
            if (stored is null)
            {
                return Refuse(RefusalReason.UnknownKey, keyId);
            }

            var now = time.GetUtcNow();
            var key = stored.Info;
            var reason = !ApiKeyText.Matches(secret, stored.SecretHash) ? RefusalReason.WrongSecret
                : key.Revoked is not null ? RefusalReason.Revoked
                : key.Expires <= now ? RefusalReason.Expired
                : !ClientNetworks.Allows(key.AllowedNetworks, client) ? RefusalReason.NetworkNotAllowed
                : (RefusalReason?)null;
            if (reason is not null)
            {
                return Refuse(reason.Value, keyId);
            }

            if (await accounts.GetAsync(key.Account, cancellationToken) is not { IsDisabled: false })
            {
                return Refuse(RefusalReason.AccountDisabled, keyId);
            }

            await TouchAsync(stored, now, cancellationToken);
            logger.LogDebug("API key {KeyId} authenticated account {AccountId}", keyId, key.Account.Value);
            return new Authentication(key.Account);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private async Task TouchAsync(StoredApiKey stored, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (stored.Info.LastUsed is { } last && now - last < LastUsedResolution)
        {
            return;
        }

        try
        {
            // A stale ETag means another request (or a revocation) wrote the row since it was read: nothing to add.
            await keys.TouchAsync(stored.Info.KeyId, stored.ETag, now, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            // The caller is authenticated; a missed last-used time is not worth failing the request.
            logger.LogWarning(e, "Could not record the last use of API key {KeyId}", stored.Info.KeyId);
        }
    }

    private Authentication Refuse(RefusalReason reason, string? keyId)
    {
        logger.LogInformation("API key refused: {Reason}, key id {KeyId}", reason, keyId ?? "(none)");
        return Authentication.Refused;
    }
}

/// <summary>The caller's account, or refused (one outcome for every reason).</summary>
public readonly record struct Authentication(AccountId? Account)
{
    public static readonly Authentication Refused = new((AccountId?)null);

    public bool Succeeded => Account is not null;
}
