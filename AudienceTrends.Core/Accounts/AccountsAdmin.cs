using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// What operators do with accounts and keys (the <c>/v2/accounts</c> routes at the Functions Admin level). Ids from a
/// route that are not account or key ids are simply not found. A new key's text is returned once, in
/// <see cref="CreatedApiKey"/>, and is never stored, listed or logged.
/// </summary>
public sealed class AccountsAdmin(
    AccountStore accounts, ApiKeyStore keys, IOptions<AccountsOptions> options, TimeProvider time, ILogger<AccountsAdmin> logger)
{
    public async Task<Account?> CreateAccountAsync(AccountRequest request, CancellationToken cancellationToken)
    {
        var account = new Account(request.Id, request.Name, time.GetUtcNow(), null);
        if (!await accounts.AddAsync(account, cancellationToken))
        {
            return null;
        }

        logger.LogInformation("Created account {AccountId}", account.Id.Value);
        return account;
    }

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) => accounts.ListAsync(cancellationToken);

    public async Task<Account?> GetAccountAsync(string id, CancellationToken cancellationToken) =>
        AccountId.TryParse(id, out var accountId) ? await accounts.GetAsync(accountId, cancellationToken) : null;

    /// <summary>Every key of the account stops working at once (the account is checked on each request); null: no such account.</summary>
    public async Task<Account?> DisableAccountAsync(string id, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(id, out var accountId) || await accounts.DisableAsync(accountId, time.GetUtcNow(), cancellationToken) is not { } account)
        {
            return null;
        }

        logger.LogInformation("Disabled account {AccountId}", account.Id.Value);
        return account;
    }

    public async Task<(CreatedApiKey? Key, KeyChange Change)> CreateKeyAsync(string accountId, ApiKeyRequest request, CancellationToken cancellationToken)
    {
        if (await GetAccountAsync(accountId, cancellationToken) is not { } account)
        {
            return (null, KeyChange.AccountNotFound);
        }

        if (account.IsDisabled)
        {
            return (null, KeyChange.AccountDisabled);
        }

        var live = (await ListKeysAsync(account.Id, cancellationToken)).Count(k => k.Revoked is null);
        if (live >= options.Value.MaxKeysPerAccount)
        {
            return (null, KeyChange.TooManyKeys);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (keyId, text, hash) = ApiKeyText.Generate();
            var info = new ApiKeyInfo
            {
                KeyId = keyId,
                Account = account.Id,
                Name = request.Name,
                Created = time.GetUtcNow(),
                Expires = request.Expires,
                AllowedNetworks = request.AllowedNetworks,
            };
            // The account's list row first: a key row never exists without it, so no working key goes unlisted.
            await accounts.AddKeyAsync(account.Id, keyId, cancellationToken);
            if (await keys.AddAsync(info, hash, cancellationToken))
            {
                logger.LogInformation("Created API key {KeyId} for account {AccountId}", keyId, account.Id.Value);
                return (new CreatedApiKey(info, text), KeyChange.Done);
            }
        }

        throw new InvalidOperationException("Three random key ids in a row were taken: the random number generator is broken.");
    }

    /// <summary>The account's keys (revoked ones too), newest first; null when there is no such account.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>?> ListKeysAsync(string accountId, CancellationToken cancellationToken) =>
        await GetAccountAsync(accountId, cancellationToken) is { } account ? await ListKeysAsync(account.Id, cancellationToken) : null;

    /// <summary>Revokes the account's key (again: no change); null when the account has no key of that id.</summary>
    public async Task<ApiKeyInfo?> RevokeKeyAsync(string accountId, string keyId, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(accountId, out var id) || !ApiKeyText.IsKeyId(keyId)
            || await keys.GetAsync(keyId, cancellationToken) is not { } stored || stored.Info.Account != id)
        {
            return null;
        }

        var revoked = await keys.RevokeAsync(keyId, time.GetUtcNow(), cancellationToken);
        logger.LogInformation("Revoked API key {KeyId} of account {AccountId}", keyId, id.Value);
        return revoked;
    }

    private async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(AccountId account, CancellationToken cancellationToken)
    {
        var ids = await accounts.ListKeyIdsAsync(account, cancellationToken);
        var rows = await Task.WhenAll(ids.Select(id => keys.GetAsync(id, cancellationToken)));
        // A list row whose key row is missing is a creation that failed half-way: that key never worked.
        return rows.OfType<StoredApiKey>().Select(k => k.Info).Where(k => k.Account == account)
            .OrderByDescending(k => k.Created).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();
    }
}

public enum KeyChange
{
    Done,
    AccountNotFound,
    AccountDisabled,
    TooManyKeys,
}
