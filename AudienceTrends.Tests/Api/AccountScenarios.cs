using System.Net;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Api;

/// <summary>
/// How the app gives each documented answer of the operators' account routes, keyed "METHOD path status" as in
/// <see cref="OpenApiContractTests"/>. Each scenario uses accounts of its own.
/// </summary>
internal static class AccountScenarios
{
    private const string AccountsPath = "/v2/accounts";
    private const string AccountPath = "/v2/accounts/{id}";
    private const string DisablePath = "/v2/accounts/{id}/disable";
    private const string KeysPath = "/v2/accounts/{id}/keys";
    private const string RevokePath = "/v2/accounts/{id}/keys/{keyId}/revoke";
    private const string UnknownKeyId = "000000000000000000000000";

    public static readonly Dictionary<string, Func<InProcessFunctionsHost, Task<HttpResponseMessage>>> All = new()
    {
        [$"POST {AccountsPath} 201"] = app => CreateAccountAsync(app, NewId()),
        [$"POST {AccountsPath} 400"] = app => app.Client.PostAsync("v2/accounts", HttpJson.Body("""{"id": "no spaces"}""")),
        [$"POST {AccountsPath} 409"] = async app =>
        {
            var id = await AccountAsync(app);
            return await CreateAccountAsync(app, id);
        },
        [$"POST {AccountsPath} 415"] = app => app.Client.PostAsync("v2/accounts", HttpJson.Body($$"""{"id": "{{NewId()}}", "name": "n"}""", "text/plain")),
        [$"GET {AccountsPath} 200"] = async app =>
        {
            await AccountAsync(app);
            return await app.Client.GetAsync("v2/accounts");
        },
        [$"GET {AccountPath} 200"] = async app => await app.Client.GetAsync($"v2/accounts/{await AccountAsync(app)}"),
        [$"GET {AccountPath} 404"] = app => app.Client.GetAsync($"v2/accounts/{NewId()}"),
        [$"POST {DisablePath} 200"] = async app => await app.Client.PostAsync($"v2/accounts/{await AccountAsync(app)}/disable", null),
        [$"POST {DisablePath} 404"] = app => app.Client.PostAsync($"v2/accounts/{NewId()}/disable", null),
        // With an expiry and networks, so every property of the answer has a value.
        [$"POST {KeysPath} 201"] = async app => await CreateKeyAsync(app, await AccountAsync(app)),
        [$"POST {KeysPath} 400"] = async app => await app.Client.PostAsync($"v2/accounts/{await AccountAsync(app)}/keys", HttpJson.Body("""{"name": ""}""")),
        [$"POST {KeysPath} 404"] = app => app.Client.PostAsync($"v2/accounts/{NewId()}/keys", HttpJson.Body("""{"name": "ci"}""")),
        [$"POST {KeysPath} 409"] = async app =>
        {
            var id = await AccountAsync(app);
            using var disabled = await app.Client.PostAsync($"v2/accounts/{id}/disable", null);
            return await app.Client.PostAsync($"v2/accounts/{id}/keys", HttpJson.Body("""{"name": "ci"}"""));
        },
        [$"POST {KeysPath} 415"] = async app => await app.Client.PostAsync($"v2/accounts/{await AccountAsync(app)}/keys", HttpJson.Body("""{"name": "ci"}""", "text/plain")),
        [$"GET {KeysPath} 200"] = async app =>
        {
            var id = await AccountAsync(app);
            using var created = await CreateKeyAsync(app, id);
            return await app.Client.GetAsync($"v2/accounts/{id}/keys");
        },
        [$"GET {KeysPath} 404"] = app => app.Client.GetAsync($"v2/accounts/{NewId()}/keys"),
        [$"POST {RevokePath} 200"] = async app =>
        {
            var id = await AccountAsync(app);
            using var created = await CreateKeyAsync(app, id);
            var keyId = (await created.JsonAsync())["id"]!.GetValue<string>();
            return await app.Client.PostAsync($"v2/accounts/{id}/keys/{keyId}/revoke", null);
        },
        [$"POST {RevokePath} 404"] = async app => await app.Client.PostAsync($"v2/accounts/{await AccountAsync(app)}/keys/{UnknownKeyId}/revoke", null),
    };

    private static string NewId() => "contract-" + Guid.NewGuid().ToString("N")[..12];

    private static Task<HttpResponseMessage> CreateAccountAsync(InProcessFunctionsHost app, string id) =>
        app.Client.PostAsync("v2/accounts", HttpJson.Body($$"""{"id": "{{id}}", "name": "Contract test"}"""));

    private static async Task<string> AccountAsync(InProcessFunctionsHost app)
    {
        var id = NewId();
        using var created = await CreateAccountAsync(app, id);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return id;
    }

    private static async Task<HttpResponseMessage> CreateKeyAsync(InProcessFunctionsHost app, string id)
    {
        var created = await app.Client.PostAsync($"v2/accounts/{id}/keys", HttpJson.Body(
            $$"""{"name": "ci", "expires": "{{DateTimeOffset.UtcNow.AddDays(1):O}}", "allowedNetworks": ["203.0.113.0/24"]}"""));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return created;
    }
}
