using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// The operators' routes through the local host's real pipeline (in-process, Azurite): accounts and keys are created,
/// listed and disabled or revoked; a key is answered once and never again; bodies are validated field by field;
/// unknown ids are 404 and taken ones 409; a key of one account cannot be revoked through another.
/// </summary>
public sealed class AccountsApiTests
{
    private readonly List<string> _responses = [];
    private AccountsTestApp _app = null!;

    [SetUp]
    public async Task StartApp()
    {
        _responses.Clear();
        _app = await AccountsTestApp.StartAsync(new Dictionary<string, string?> { ["Accounts:MaxKeysPerAccount"] = "2" });
    }

    [TearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task An_account_is_created_listed_read_and_disabled()
    {
        var id = AccountsTestApp.NewAccountId();

        var (status, created) = await SendAsync(HttpMethod.Post, "v2/accounts", $$"""{"id": "{{id.ToUpperInvariant()}}", "name": "Acme Corp"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), created.ToJsonString());
        Assert.That(created["id"]!.GetValue<string>(), Is.EqualTo(id), "ids are kept in lower case");
        Assert.That(created["name"]!.GetValue<string>(), Is.EqualTo("Acme Corp"));
        Assert.That(created["created"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_app.Time.GetUtcNow()));
        Assert.That(created["disabled"], Is.Null);
        Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{id}")).Body.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That((await SendAsync(HttpMethod.Get, "v2/accounts")).Body.AsArray().Select(a => a!["id"]!.GetValue<string>()), Does.Contain(id));

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var (disabledStatus, disabled) = await SendAsync(HttpMethod.Post, $"v2/accounts/{id}/disable");
        var (againStatus, again) = await SendAsync(HttpMethod.Post, $"v2/accounts/{id}/disable");

        Assert.That(disabledStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(disabled["disabled"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_app.Time.GetUtcNow()));
        Assert.That((againStatus, again.ToJsonString()), Is.EqualTo((HttpStatusCode.OK, disabled.ToJsonString())), "disabling again changes nothing");
    }

    [TestCase("job")]
    [TestCase("SftpKey")]
    public async Task The_ids_of_the_partitions_that_hold_rows_from_before_accounts_are_refused(string id)
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "v2/accounts", $$"""{"id": "{{id}}", "name": "Squatter"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem["errors"]!["id"]![0]!.GetValue<string>(), Does.Contain("is reserved"));
        Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_taken_id_gets_409_in_any_case()
    {
        var id = AccountsTestApp.NewAccountId();
        Assert.That((await SendAsync(HttpMethod.Post, "v2/accounts", $$"""{"id": "{{id}}", "name": "First"}""")).Status, Is.EqualTo(HttpStatusCode.Created));

        var (status, problem) = await SendAsync(HttpMethod.Post, "v2/accounts", $$"""{"id": "{{id.ToUpperInvariant()}}", "name": "Second"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("already exists"));
        Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{id}")).Body["name"]!.GetValue<string>(), Is.EqualTo("First"));
    }

    [TestCase("""{"name": "Acme"}""", "id")]
    [TestCase("""{"id": "acme corp", "name": "Acme"}""", "id")]
    [TestCase("""{"id": "-acme", "name": "Acme"}""", "id")]
    [TestCase("""{"id": 7, "name": "Acme"}""", "id")]
    [TestCase("""{"id": "acme"}""", "name")]
    [TestCase("""{"id": "acme", "name": "  "}""", "name")]
    [TestCase("""{"id": "acme", "name": "line\nbreak"}""", "name")]
    [TestCase("""{}""", "id,name")]
    [TestCase("""["acme"]""", "$")]
    [TestCase("""{"id": "acme", "name": "\uD800"}""", "$")]
    public async Task A_bad_account_body_gets_400_naming_each_field(string body, string fields)
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "v2/accounts", body);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(fields.Split(',')));
    }

    [Test]
    public async Task A_key_is_answered_once_then_listed_without_it_and_revoked()
    {
        var account = await _app.CreateAccountAsync();
        var expires = _app.Time.GetUtcNow().AddDays(30);

        var (status, created) = await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys",
            $$"""{"name": "ci", "expires": "{{expires:O}}", "allowedNetworks": ["203.0.113.0/24", "2001:db8::/32"]}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), created.ToJsonString());
        var key = created["key"]!.GetValue<string>();
        var keyId = created["id"]!.GetValue<string>();
        Assert.That(key, Does.StartWith($"atk_{keyId}_"));
        Assert.That(created["account"]!.GetValue<string>(), Is.EqualTo(account.Value));
        Assert.That(created["expires"]!.GetValue<DateTimeOffset>(), Is.EqualTo(expires));
        Assert.That(created["allowedNetworks"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "203.0.113.0/24", "2001:db8::/32" }));
        Assert.That(await _app.AuthenticateAsync("Bearer " + key, "203.0.113.9"), Is.EqualTo(account));

        var listed = (await SendAsync(HttpMethod.Get, $"v2/accounts/{account}/keys")).Body.AsArray().Single()!;
        Assert.That(listed["id"]!.GetValue<string>(), Is.EqualTo(keyId));
        Assert.That(listed.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "id", "account", "name", "created", "expires", "allowedNetworks", "lastUsed", "revoked" }));
        Assert.That(listed["lastUsed"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_app.Time.GetUtcNow()));

        var (revokedStatus, revoked) = await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys/{keyId}/revoke");
        Assert.That(revokedStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(revoked["revoked"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_app.Time.GetUtcNow()));
        Assert.That(await _app.AuthenticateAsync("Bearer " + key, "203.0.113.9"), Is.Null);

        var secret = key[(4 + 25)..];
        Assert.That(string.Join("\n", _responses.Skip(1)), Does.Not.Contain(secret), "the key is in its creation's answer only");
        Assert.That(_app.Logs.AllText, Does.Not.Contain(secret));
        foreach (var row in await _app.KeysTable().QueryAsync<TableEntity>().ToListAsync())
        {
            Assert.That(string.Join("\n", row.Select(c => c.Value is byte[] b ? Convert.ToBase64String(b) : $"{c.Value}")), Does.Not.Contain(secret));
        }
    }

    [Test]
    public async Task Unknown_accounts_and_keys_get_404_and_a_key_cannot_be_revoked_through_another_account()
    {
        var owner = await _app.CreateAccountAsync();
        var other = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(owner);
        var missing = AccountsTestApp.NewAccountId();

        Assert.Multiple(async () =>
        {
            Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{missing}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Get, "v2/accounts/not%20an%20id")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Post, $"v2/accounts/{missing}/disable")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{missing}/keys")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Post, $"v2/accounts/{missing}/keys", """{"name": "ci"}""")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Post, $"v2/accounts/{owner}/keys/{ApiKeyText.Generate().KeyId}/revoke")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Post, $"v2/accounts/{other}/keys/{key.Info.KeyId}/revoke")).Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{other}/keys")).Body.AsArray(), Is.Empty);
        });
        Assert.That(await _app.AuthenticateAsync("Bearer " + key.Key), Is.EqualTo(owner), "still working after the other account's attempt");
    }

    [TestCase("""{}""", "name")]
    [TestCase("""{"name": ""}""", "name")]
    [TestCase("""{"name": "ci", "expires": "2020-01-01T00:00:00Z"}""", "expires")]
    [TestCase("""{"name": "ci", "expires": "2099-01-01T00:00:00"}""", "expires")]
    [TestCase("""{"name": "ci", "expires": "next year"}""", "expires")]
    [TestCase("""{"name": "ci", "allowedNetworks": []}""", "allowedNetworks")]
    [TestCase("""{"name": "ci", "allowedNetworks": "203.0.113.0/24"}""", "allowedNetworks")]
    [TestCase("""{"name": "ci", "allowedNetworks": ["203.0.113.7/24"]}""", "allowedNetworks")]
    [TestCase("""{"name": "ci", "allowedNetworks": ["2001:db8::/129"]}""", "allowedNetworks")]
    [TestCase("""{"name": "ci", "allowedNetworks": ["example.com"]}""", "allowedNetworks")]
    [TestCase("""{"expires": 5, "allowedNetworks": [1]}""", "name,expires,allowedNetworks")]
    public async Task A_bad_key_body_gets_400_naming_each_field_and_creates_no_key(string body, string fields)
    {
        var account = await _app.CreateAccountAsync();

        var (status, problem) = await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys", body);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(fields.Split(',')));
        Assert.That((await SendAsync(HttpMethod.Get, $"v2/accounts/{account}/keys")).Body.AsArray(), Is.Empty);
    }

    [Test]
    public async Task An_account_at_its_key_limit_gets_409_until_it_revokes_one()
    {
        var account = await _app.CreateAccountAsync();
        var first = await _app.CreateKeyAsync(account);
        await _app.CreateKeyAsync(account);

        var (status, problem) = await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys", """{"name": "third"}""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Accounts:MaxKeysPerAccount"));

        await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys/{first.Info.KeyId}/revoke");
        Assert.That((await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys", """{"name": "third"}""")).Status, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task A_disabled_account_gets_409_for_a_new_key()
    {
        var account = await _app.CreateAccountAsync();
        await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/disable");

        var (status, problem) = await SendAsync(HttpMethod.Post, $"v2/accounts/{account}/keys", """{"name": "ci"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["title"]!.GetValue<string>(), Is.EqualTo("Account disabled"));
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : HttpJson.Body(json) };
        using var response = await _app.Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        _responses.Add(text);
        if (response.StatusCode == HttpStatusCode.Created && path == "v2/accounts")
        {
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(AccountsFunctions.AccountPath(JsonNode.Parse(text)!["id"]!.GetValue<string>())));
        }

        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }
}
