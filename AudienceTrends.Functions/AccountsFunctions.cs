using AudienceTrends.Core.Accounts;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// Operators' routes for accounts and their API keys, at the Functions <c>Admin</c> level (in Azure the host's master
/// key, in <c>x-functions-key</c>): create, list, get and disable accounts; create, list and revoke keys. A key is
/// answered once, in the <c>key</c> field of its creation. Revocation is <c>POST .../revoke</c> (not DELETE): the
/// key's row stays, so its list shows when it was revoked. Rotation: create a second key, move clients, revoke the first.
/// </summary>
public sealed class AccountsFunctions(AccountsAdmin admin, TimeProvider time)
{
    public static string AccountPath(string id) => $"/v2/accounts/{id}";

    [Function(nameof(CreateAccount))]
    public async Task<IActionResult> CreateAccount(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "v2/accounts")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, AccountRequest.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (accountRequest, errors) = AccountRequest.Parse(body.Span);
        if (accountRequest is null)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the field.");
        }

        return await admin.CreateAccountAsync(accountRequest, cancellationToken) is { } account
            ? TypedResults.Created(AccountPath(account.Id.Value), View(account)).Action()
            : Problems.Status(StatusCodes.Status409Conflict, "Account exists",
                $"An account with the id \"{accountRequest.Id.Value}\" already exists (ids are matched ignoring case).");
    }

    [Function(nameof(ListAccounts))]
    public async Task<IActionResult> ListAccounts(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v2/accounts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok((await admin.ListAccountsAsync(cancellationToken)).Select(View)).Action();

    [Function(nameof(GetAccount))]
    public async Task<IActionResult> GetAccount(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v2/accounts/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await admin.GetAccountAsync(id, cancellationToken) is { } account ? TypedResults.Ok(View(account)).Action() : AccountNotFound();

    [Function(nameof(DisableAccount))]
    public async Task<IActionResult> DisableAccount(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "v2/accounts/{id}/disable")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await admin.DisableAccountAsync(id, cancellationToken) is { } account ? TypedResults.Ok(View(account)).Action() : AccountNotFound();

    [Function(nameof(CreateApiKey))]
    public async Task<IActionResult> CreateApiKey(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "v2/accounts/{id}/keys")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, AccountRequest.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (keyRequest, errors) = ApiKeyRequest.Parse(body.Span, time.GetUtcNow());
        if (keyRequest is null)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the field.");
        }

        var (key, change) = await admin.CreateKeyAsync(id, keyRequest, cancellationToken);
        return change switch
        {
            KeyChange.Done => TypedResults.Created(AccountPath(key!.Info.Account.Value) + "/keys", KeyView(key.Info, key.Key)).Action(),
            KeyChange.AccountNotFound => AccountNotFound(),
            KeyChange.AccountDisabled => Problems.Status(StatusCodes.Status409Conflict, "Account disabled",
                "The account is disabled: its keys do not work, and no new key is created for it."),
            _ => Problems.Status(StatusCodes.Status409Conflict, "Too many keys",
                "The account has as many keys as it may have (Accounts:MaxKeysPerAccount): revoke one first."),
        };
    }

    [Function(nameof(ListApiKeys))]
    public async Task<IActionResult> ListApiKeys(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v2/accounts/{id}/keys")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await admin.ListKeysAsync(id, cancellationToken) is { } keys
            ? TypedResults.Ok(keys.Select(k => KeyView(k, null))).Action()
            : AccountNotFound();

    [Function(nameof(RevokeApiKey))]
    public async Task<IActionResult> RevokeApiKey(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "v2/accounts/{id}/keys/{keyId}/revoke")] HttpRequest request,
        string id,
        string keyId,
        CancellationToken cancellationToken) =>
        await admin.RevokeKeyAsync(id, keyId, cancellationToken) is { } key
            ? TypedResults.Ok(KeyView(key, null)).Action()
            : Problems.Status(StatusCodes.Status404NotFound, "Key not found", "The account has no API key with that id.");

    private static IActionResult AccountNotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "Account not found", "There is no account with that id.");

    private static object View(Account account) => new
    {
        id = account.Id.Value,
        name = account.Name,
        created = account.Created,
        disabled = account.Disabled,
    };

    /// <summary>A key as operators see it: never its hash; the key text only in the answer that created it.</summary>
    private static Dictionary<string, object?> KeyView(ApiKeyInfo key, string? text)
    {
        var view = new Dictionary<string, object?>
        {
            ["id"] = key.KeyId,
            ["account"] = key.Account.Value,
            ["name"] = key.Name,
            ["created"] = key.Created,
            ["expires"] = key.Expires,
            ["allowedNetworks"] = key.AllowedNetworks.Select(n => n.ToString()).ToArray(),
            ["lastUsed"] = key.LastUsed,
            ["revoked"] = key.Revoked,
        };
        if (text is not null)
        {
            view["key"] = text;
        }

        return view;
    }
}
