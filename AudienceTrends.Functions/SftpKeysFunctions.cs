using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations.Sftp.Keys;
using AudienceTrends.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// Saved SFTP keys: <c>POST /v2/sftpkeys</c> generates a key pair and answers its public key (the private key never
/// leaves the service), <c>GET /v2/sftpkeys</c>, <c>GET /v2/sftpkeys/{name}</c> and <c>DELETE /v2/sftpkeys/{name}</c>.
/// Each sees only the caller's account's keys (<see cref="SftpKeys"/>): another account's key name answers 404.
/// </summary>
public sealed class SftpKeysFunctions(ApiKeyAuthenticator authenticator, SftpKeys keys)
{
    public static string KeyPath(string name) => $"/v2/sftpkeys/{name}";

    [Function(nameof(CreateSftpKey))]
    public Task<IActionResult> CreateSftpKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/sftpkeys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, account => CreateAsync(request, account, cancellationToken));

    private async Task<IActionResult> CreateAsync(HttpRequest request, AccountId account, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadJsonAsync(request, SftpKeyRequest.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (keyRequest, errors) = SftpKeyRequest.Parse(body.Span);
        if (keyRequest is null)
        {
            return Problems.Validation(errors.ToDictionary(), "See errors: each is keyed by the field.");
        }

        var (key, change) = await keys.CreateAsync(account, keyRequest, cancellationToken);
        return change switch
        {
            SftpKeyChange.Done => TypedResults.Created(KeyPath(key!.Name), View(key)).Action(),
            SftpKeyChange.LimitReached => Problems.Status(StatusCodes.Status409Conflict, "Too many saved keys",
                $"This account holds {keys.MaxKeysPerAccount} saved SFTP keys, the most it may (SftpKeys:MaxKeysPerAccount): delete one before creating another."),
            _ => Problems.Status(StatusCodes.Status409Conflict, "Key name taken",
                $"A saved key named \"{keyRequest.Name}\" already exists (or was deleted and its name is still reserved): choose another name."),
        };
    }

    [Function(nameof(ListSftpKeys))]
    public Task<IActionResult> ListSftpKeys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/sftpkeys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            TypedResults.Ok((await keys.ListAsync(account, cancellationToken)).Select(View)).Action());

    [Function(nameof(GetSftpKey))]
    public Task<IActionResult> GetSftpKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/sftpkeys/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            NameRefused(account, name)
            ?? (await keys.GetAsync(account, name, cancellationToken) is { } key ? TypedResults.Ok(View(key)).Action() : NotFound(name)));

    [Function(nameof(DeleteSftpKey))]
    public Task<IActionResult> DeleteSftpKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v2/sftpkeys/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        authenticator.ForAccountAsync(request, cancellationToken, async account =>
            NameRefused(account, name) ?? await keys.DeleteAsync(account, name, cancellationToken) switch
            {
                SftpKeyChange.Done => TypedResults.NoContent().Action(),
                SftpKeyChange.NotFound => NotFound(name),
                _ => Problems.Status(StatusCodes.Status409Conflict, "Key is read-only",
                    $"The saved key \"{name}\" comes from the service's settings (Sftp:SavedKeys): only its operators can remove it."),
            });

    /// <summary>400 naming <c>name</c> for a route value no key can have; the value is not quoted back.</summary>
    private IActionResult? NameRefused(AccountId account, string name) =>
        keys.NameProblem(account, name) is { } problem
            ? Problems.Validation(new Dictionary<string, string[]> { ["name"] = [$"name {problem}"] }, "See errors: the key name in the path is not valid.")
            : null;

    private static IActionResult NotFound(string name) =>
        Problems.Status(StatusCodes.Status404NotFound, "Key not found", $"There is no saved SFTP key named \"{name}\".");

    /// <summary>What a client may see of a key: never the private key.</summary>
    private static object View(SftpKey key) => new
    {
        name = key.Name,
        publicKey = key.PublicKey,
        fingerprint = key.Fingerprint,
        hosts = key.Hosts,
        created = key.Created,
        source = key.Source == SftpKeySource.Settings ? "settings" : "api",
        readOnly = key.ReadOnly,
    };
}
