using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// Default deny, read from the built <c>functions.metadata</c> (what the host binds): every HTTP function is either an
/// operators' route at the host's <c>Admin</c> level, or answers 401 to a request without a valid account key, before
/// it reads a body or a route value. A new function that forgets the key fails here without anyone listing it. Every
/// refusal (no header, a malformed one, an unknown, revoked or expired key, a key used outside its networks) gets
/// the same status, header and body.
/// </summary>
public sealed partial class DefaultDenyTests
{
    /// <summary>The operators' routes: the host's master key guards them in Azure (see FunctionsMetadataContractTests).</summary>
    private static readonly string[] OperatorFunctions =
    [
        nameof(AccountsFunctions.CreateAccount), nameof(AccountsFunctions.ListAccounts), nameof(AccountsFunctions.GetAccount),
        nameof(AccountsFunctions.DisableAccount), nameof(AccountsFunctions.CreateApiKey), nameof(AccountsFunctions.ListApiKeys),
        nameof(AccountsFunctions.RevokeApiKey), nameof(HealthFunctions.GetHealthDetails),
    ];

    /// <summary>
    /// Public on purpose, carrying no data: the health status alone (Functions/HealthTests proves it says nothing
    /// more) and the Jobs page's static files (its script calls the API with the user's key).
    /// </summary>
    internal static readonly string[] PublicFunctions = [nameof(HealthFunctions.GetHealth), nameof(UiFunction.Ui)];

    private static IEnumerable<TestCaseData> CustomerRoutes() =>
        FunctionMetadata.Load()
            .Where(f => f.Trigger.Type == "httpTrigger" && !OperatorFunctions.Contains(f.Name) && !PublicFunctions.Contains(f.Name))
            .SelectMany(f => f.Trigger.Methods.Select(m => new TestCaseData(f.Name, m.ToUpperInvariant(), f.Trigger.Route!)
                .SetArgDisplayNames(f.Name, m.ToUpperInvariant())));

    [Test]
    public void Every_http_function_is_an_operator_route_at_admin_level_or_a_customer_route_tested_here()
    {
        var http = FunctionMetadata.Load().Where(f => f.Trigger.Type == "httpTrigger").ToList();
        Assert.Multiple(() =>
        {
            foreach (var function in http.Where(f => OperatorFunctions.Contains(f.Name)))
            {
                Assert.That(function.Trigger.AuthLevel, Is.EqualTo("Admin"), function.Name);
            }

            Assert.That(http.Where(f => f.Trigger.AuthLevel == "Admin").Select(f => f.Name), Is.EquivalentTo(OperatorFunctions),
                "only the listed operators' routes may rely on the host's master key");
            Assert.That(CustomerRoutes().Count(), Is.GreaterThanOrEqualTo(9), "the customer routes are found in the metadata");
        });
    }

    [TestCaseSource(nameof(CustomerRoutes))]
    public async Task A_customer_route_answers_401_without_a_valid_key(string function, string method, string route)
    {
        await using var app = await AccountsTestApp.StartAsync();
        var path = RouteValue().Replace(route, "0123456789abcdef01234567");
        var answers = new List<string>();
        foreach (var authorization in new[] { null, "Basic", "Basic !!!", "Bearer atk_000000000000000000000000_" + new string('A', 43), "Bearer " + app.Host.Keys.Demo + "x" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = method is "POST" ? HttpJson.Body(HttpJson.Example("ui-download.json")) : null,
            };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            answers.Add(await UnauthorizedAsync(app.Host.AnonymousClient, request, $"{function} with {authorization ?? "no header"}"));
        }

        Assert.That(answers.Distinct().ToList(), Has.Count.EqualTo(1), "one answer whatever the reason");
    }

    [Test]
    public async Task Revoked_expired_and_out_of_network_keys_and_a_disabled_account_get_the_same_401_as_no_key()
    {
        await using var app = await AccountsTestApp.StartAsync();
        var account = await app.CreateAccountAsync();
        var revoked = await app.CreateKeyAsync(account);
        await app.Admin.RevokeKeyAsync(account.Value, revoked.Info.KeyId, CancellationToken.None);
        var expired = await app.CreateKeyAsync(account, app.Time.GetUtcNow().AddMinutes(1));
        var elsewhere = await app.CreateKeyAsync(account, null, "203.0.113.0/24");
        var disabledAccount = await app.CreateAccountAsync();
        var ofDisabled = await app.CreateKeyAsync(disabledAccount);
        await app.Admin.DisableAccountAsync(disabledAccount.Value, CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMinutes(2));

        var answers = new List<string>();
        foreach (var (key, why) in new[] { (null, "no key"), (revoked.Key, "revoked"), (expired.Key, "expired"), (elsewhere.Key, "outside its networks"), (ofDisabled.Key, "account disabled") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v2/jobs");
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
            }

            request.Headers.TryAddWithoutValidation("Client-IP", "198.51.100.7:50000");
            answers.Add(await UnauthorizedAsync(app.Host.AnonymousClient, request, why));
        }

        Assert.That(answers.Distinct().ToList(), Has.Count.EqualTo(1), "one answer whatever the reason");

        using var inside = new HttpRequestMessage(HttpMethod.Get, "v2/jobs");
        inside.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(elsewhere.Key + ":")));
        inside.Headers.TryAddWithoutValidation("Client-IP", "203.0.113.9:50000");
        using var allowed = await app.Host.AnonymousClient.SendAsync(inside);
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same key from its own network works: the 401s above are the key's rules");
    }

    /// <summary>Asserts a 401 with the challenge and a problem body, and returns the body without its per-request trace id.</summary>
    private static async Task<string> UnauthorizedAsync(HttpClient client, HttpRequestMessage request, string what)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{what}: {body}");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"audiencetrends\""), what);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
        });
        var problem = JsonNode.Parse(body)!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();
}
