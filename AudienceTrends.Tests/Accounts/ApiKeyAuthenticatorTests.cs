using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Functions.Http;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// <see cref="ApiKeyAuthenticator"/> against real key and account tables (Azurite), with the app's own DI: a key works
/// for its account until it is revoked, expires, is used from outside its networks or its account is disabled; every
/// refusal is the same 401; the tables hold only the secret's hash; last-used is written at most once a minute; no log
/// line holds a key.
/// </summary>
public sealed class ApiKeyAuthenticatorTests
{
    private AccountsTestApp _app = null!;

    [SetUp]
    public async Task StartApp() => _app = await AccountsTestApp.StartAsync();

    [TearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task A_new_key_authenticates_its_own_account_by_Basic_and_by_Bearer_and_two_accounts_stay_apart()
    {
        var first = await _app.CreateAccountAsync();
        var second = await _app.CreateAccountAsync();
        var firstKey = await _app.CreateKeyAsync(first);
        var secondKey = await _app.CreateKeyAsync(second);

        Assert.That(await _app.AuthenticateAsync(Basic(firstKey.Key)), Is.EqualTo(first));
        Assert.That(await _app.AuthenticateAsync("Bearer " + firstKey.Key), Is.EqualTo(first));
        Assert.That(await _app.AuthenticateAsync(Basic(secondKey.Key)), Is.EqualTo(second));
    }

    [Test]
    public async Task The_tables_hold_the_hash_of_the_secret_and_never_the_key_or_the_secret()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account);
        Assert.That(await _app.AuthenticateAsync(Basic(key.Key)), Is.EqualTo(account));
        ApiKeyText.TryParse(key.Key, out var keyId, out var secret);

        var keyRows = await _app.KeysTable().QueryAsync<TableEntity>().ToListAsync();
        var accountRows = await _app.AccountsTable().QueryAsync<TableEntity>().ToListAsync();

        var keyRow = keyRows.Single(r => r.PartitionKey == keyId);
        Assert.That(keyRow.PartitionKey, Is.EqualTo(keyId), "found by one point read on the key id");
        Assert.That(keyRow.GetBinary("SecretHash"), Is.EqualTo(System.Security.Cryptography.SHA256.HashData(secret)));
        var secretSpellings = new[]
        {
            key.Key, key.Key[(4 + 25)..], Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexStringLower(secret),
        };
        foreach (var row in keyRows.Concat(accountRows))
        {
            foreach (var (column, value) in row)
            {
                var text = value is byte[] bytes ? Convert.ToBase64String(bytes) + " " + Convert.ToHexString(bytes) : value?.ToString() ?? "";
                foreach (var spelling in secretSpellings)
                {
                    Assert.That(text, Does.Not.Contain(spelling).IgnoreCase, $"{column} of row {row.PartitionKey}/{row.RowKey}");
                }

                if (value is byte[] stored)
                {
                    Assert.That(stored, Is.Not.EqualTo(secret), column);
                }
            }
        }
    }

    [Test]
    public async Task A_revoked_key_is_refused_while_the_accounts_other_key_still_works()
    {
        var account = await _app.CreateAccountAsync();
        var old = await _app.CreateKeyAsync(account);
        var replacement = await _app.CreateKeyAsync(account);

        Assert.That(await _app.Admin.RevokeKeyAsync(account.Value, old.Info.KeyId, CancellationToken.None), Is.Not.Null);

        Assert.That(await _app.AuthenticateAsync(Basic(old.Key)), Is.Null);
        Assert.That(await _app.AuthenticateAsync(Basic(replacement.Key)), Is.EqualTo(account));
    }

    [Test]
    public async Task A_key_is_refused_from_the_moment_it_expires()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account, _app.Time.GetUtcNow().AddHours(1));

        _app.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.That(await _app.AuthenticateAsync(Basic(key.Key)), Is.EqualTo(account));
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await _app.AuthenticateAsync(Basic(key.Key)), Is.Null);
    }

    [Test]
    public async Task Every_key_of_a_disabled_account_is_refused_and_it_gets_no_new_key()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account);

        Assert.That((await _app.Admin.DisableAccountAsync(account.Value.ToUpperInvariant(), CancellationToken.None))!.IsDisabled, Is.True);

        Assert.That(await _app.AuthenticateAsync(Basic(key.Key)), Is.Null);
        var (created, change) = await _app.Admin.CreateKeyAsync(account.Value, new ApiKeyRequest("again", null, []), CancellationToken.None);
        Assert.That((created, change), Is.EqualTo(((CreatedApiKey?)null, KeyChange.AccountDisabled)));
    }

    [TestCase("203.0.113.7", true)]
    [TestCase("203.0.113.255", true)]
    [TestCase("203.0.114.7", false)]
    [TestCase("::ffff:203.0.113.7", true)]
    [TestCase("2001:db8:0:1::7", true)]
    [TestCase("2001:db8:1::7", false)]
    [TestCase("198.51.100.9", true)]
    [TestCase("198.51.100.10", false)]
    [TestCase(null, false)]
    public async Task A_key_with_allowed_networks_works_only_from_inside_them(string? client, bool allowed)
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account, null, "203.0.113.0/24", "2001:db8::/48", "198.51.100.9");

        Assert.That(await _app.AuthenticateAsync(Basic(key.Key), client), allowed ? Is.EqualTo(account) : Is.Null);
    }

    [Test]
    public async Task The_networks_check_uses_the_front_ends_Client_IP_header_by_default()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account, null, "203.0.113.0/24");

        var inside = await AnswerAsync(Basic(key.Key), clientIp: "203.0.113.7:51234", remote: "198.51.100.1");
        var outside = await AnswerAsync(Basic(key.Key), clientIp: "198.51.100.1:51234", remote: "203.0.113.7");

        Assert.That(inside.Caller, Is.EqualTo(account));
        Assert.That(outside.Caller, Is.Null, "the connection's address is a proxy's in Azure, not the client's");
    }

    [Test]
    public async Task Every_refusal_is_the_same_401_with_a_Basic_challenge()
    {
        var account = await _app.CreateAccountAsync();
        var revoked = await _app.CreateKeyAsync(account);
        await _app.Admin.RevokeKeyAsync(account.Value, revoked.Info.KeyId, CancellationToken.None);
        var expiring = await _app.CreateKeyAsync(account, _app.Time.GetUtcNow().AddMinutes(1));
        var fenced = await _app.CreateKeyAsync(account, null, "192.0.2.0/24");
        var disabledAccount = await _app.CreateAccountAsync();
        var ofDisabled = await _app.CreateKeyAsync(disabledAccount);
        await _app.Admin.DisableAccountAsync(disabledAccount.Value, CancellationToken.None);
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var wrongSecret = fenced.Key[..^2] + (fenced.Key[^2] == 'A' ? "BA" : "AA");

        var answers = new List<string>();
        foreach (var header in new[]
        {
            null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("nobody:")), Basic(ApiKeyText.Generate().Key),
            Basic(revoked.Key), Basic(expiring.Key), "Bearer " + fenced.Key, Basic(ofDisabled.Key), "Bearer " + wrongSecret,
        })
        {
            var (caller, status, challenge, body) = await AnswerAsync(header, clientIp: "203.0.113.7:1");
            Assert.That((caller, status, challenge), Is.EqualTo(((AccountId?)null, 401, "Basic realm=\"audiencetrends\"")), header);
            answers.Add(body);
        }

        Assert.That(answers.Distinct().ToList(), Has.Count.EqualTo(1), string.Join("\n", answers));
        Assert.That(JsonNode.Parse(answers[0])!["status"]!.GetValue<int>(), Is.EqualTo(401));
        var reasons = _app.Logs.Lines.Where(l => l.Contains("API key refused", StringComparison.Ordinal)).ToList();
        foreach (var reason in Enum.GetNames<RefusalReason>())
        {
            Assert.That(reasons, Has.Some.Contains(reason), "each reason is logged for operators");
        }
    }

    [Test]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account);
        var start = _app.Time.GetUtcNow();

        Assert.That(await LastUsedAsync(key), Is.Null, "not used yet");
        Assert.That(await _app.AuthenticateAsync(Basic(key.Key)), Is.EqualTo(account));
        Assert.That(await LastUsedAsync(key), Is.EqualTo(start));
        var etag = (await _app.KeysTable().GetEntityAsync<TableEntity>(key.Info.KeyId, "key")).Value.ETag;

        _app.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(await _app.AuthenticateAsync("Bearer " + key.Key), Is.EqualTo(account));
        Assert.That((await _app.KeysTable().GetEntityAsync<TableEntity>(key.Info.KeyId, "key")).Value.ETag, Is.EqualTo(etag), "no write within the minute");

        _app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await _app.AuthenticateAsync("Bearer " + key.Key), Is.EqualTo(account));
        Assert.That(await LastUsedAsync(key), Is.EqualTo(start.AddMinutes(1)));
        var listed = (await _app.Admin.ListKeysAsync(account.Value, CancellationToken.None))!.Single();
        Assert.That(listed.LastUsed, Is.EqualTo(start.AddMinutes(1)));
    }

    [Test]
    public async Task No_log_line_holds_a_key_or_its_secret()
    {
        var account = await _app.CreateAccountAsync();
        var key = await _app.CreateKeyAsync(account);
        await _app.AuthenticateAsync(Basic(key.Key));
        await _app.AuthenticateAsync("Bearer " + key.Key[..^1] + "x");
        await _app.Admin.RevokeKeyAsync(account.Value, key.Info.KeyId, CancellationToken.None);
        await _app.AuthenticateAsync(Basic(key.Key));

        Assert.That(_app.Logs.Lines, Has.Some.Contains(key.Info.KeyId), "the key id is how operators find it");
        Assert.That(_app.Logs.AllText, Does.Not.Contain(key.Key[(4 + 25)..]));
        Assert.That(_app.Logs.AllText, Does.Not.Contain(Basic(key.Key)["Basic ".Length..]));
    }

    private static string Basic(string key) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));

    private async Task<DateTimeOffset?> LastUsedAsync(CreatedApiKey key) =>
        (await _app.KeysTable().GetEntityAsync<TableEntity>(key.Info.KeyId, "key")).Value.GetDateTimeOffset("LastUsed");

    /// <summary>What a function that calls <see cref="ApiKeyAuthentication"/> would answer for this request.</summary>
    private async Task<(AccountId? Caller, int Status, string? Challenge, string Body)> AnswerAsync(string? authorization, string? clientIp, string remote = "127.0.0.1")
    {
        var http = new DefaultHttpContext { RequestServices = _app.Host.Services };
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        if (clientIp is not null)
        {
            http.Request.Headers[ClientNetworks.FrontEndHeader] = clientIp;
        }

        var (caller, problem) = await _app.Authenticator.AuthenticateAsync(http.Request, CancellationToken.None);
        if (problem is null)
        {
            return (caller, 200, null, "");
        }

        var body = new MemoryStream();
        http.Response.Body = body;
        await problem.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        return (caller, http.Response.StatusCode, http.Response.Headers.WWWAuthenticate.ToString(), Encoding.UTF8.GetString(body.ToArray()));
    }
}
