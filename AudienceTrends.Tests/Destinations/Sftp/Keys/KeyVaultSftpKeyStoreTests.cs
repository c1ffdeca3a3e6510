using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.Sftp.Keys;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>
/// The <c>KeyVault</c> store through the whole app (<c>SftpKeys:Store=KeyVault</c>), the SDK's real
/// <see cref="SecretClient"/> talking HTTPS to <see cref="KeyVaultStandIn"/>; only the credential is the test's.
/// </summary>
public sealed class KeyVaultSftpKeyStoreTests
{
    private KeyVaultStandIn _vault = null!;
    private Dictionary<string, string?> _settings = [];
    private InProcessFunctionsHost _host = null!;

    [SetUp]
    public async Task Start()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _settings = await TestApp.SettingsAsync();
        _settings["SftpKeys:Store"] = "KeyVault";
        _settings["SftpKeys:VaultUri"] = _vault.VaultUri.ToString();
        _settings["SftpKeys:TableName"] = "sftpkeys" + Guid.NewGuid().ToString("N")[..12];
        // The second account owns what was stored before accounts existed, so a test can read legacy secrets as it.
        _settings["Accounts:LegacyAccount"] = TestAccounts.Other;
        (_host, _) = await TestApp.StartInProcessAsync(_settings, services => services.AddSingleton(_vault.Client()));
    }

    [TearDown]
    public async Task Stop()
    {
        // The table where the store reserves key names.
        await _host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(_settings["SftpKeys:TableName"]).DeleteAsync();
        await _host.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Test]
    public async Task A_key_is_one_secret_whose_tags_hold_only_public_facts_and_it_delivers_the_file()
    {
        var name = "Vault-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await CreateAsync(name, "127.0.0.1");
        var key = await created.JsonAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), key.ToJsonString());

        var secret = _vault.Secrets[Secret(name)];
        Assert.That(secret["value"]!.GetValue<string>(), Does.StartWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        var tags = secret["tags"]!.AsObject();
        Assert.That(Secret(name), Does.Match($"^sftpkey-[0-9a-f]{{32}}-{name.ToLowerInvariant()}$"));
        Assert.That(tags["account"]!.GetValue<string>(), Is.EqualTo(TestAccounts.Demo));
        Assert.That(tags["name"]!.GetValue<string>(), Is.EqualTo(name));
        Assert.That(tags["publicKey"]!.GetValue<string>(), Is.EqualTo(key["publicKey"]!.GetValue<string>()));
        Assert.That(tags["host0"]!.GetValue<string>(), Is.EqualTo("127.0.0.1"));
        Assert.That(tags.ToJsonString(), Does.Not.Contain("PRIVATE").And.Not.Contain("b3BlbnNzaC1rZXktdjE"));
        Assert.That((await (await _host.Client.GetAsync($"v2/sftpkeys/{name}")).JsonAsync()).ToJsonString(), Is.EqualTo(key.ToJsonString()));
        var list = (await (await _host.Client.GetAsync("v2/sftpkeys")).JsonAsync()).AsArray();
        Assert.That(list.Single(k => k!["name"]!.GetValue<string>() == name)!.ToJsonString(), Is.EqualTo(key.ToJsonString()));

        var server = SshdServer.Current;
        server.AuthorizeKey(key["publicKey"]!.GetValue<string>());
        var folder = "vault-" + Guid.NewGuid().ToString("N")[..8];
        var body = JsonNode.Parse(HttpJson.Example("sftp.json"))!.AsObject();
        body["destination"] = new JsonObject
        {
            ["type"] = "sftp", ["server"] = "127.0.0.1", ["port"] = server.Port, ["username"] = server.KeyUser,
            ["savedKey"] = name.ToUpperInvariant(), ["path"] = folder,
        };
        using var export = await _host.Client.PostExportAsync(body.ToJsonString());
        Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await export.Content.ReadAsStringAsync());
        var job = await _host.WaitForFinalJobAsync((await export.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(_settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(server.KeyUserHome, folder, "audiencetrends.csv")), Is.EqualTo(expected));
    }

    [Test]
    public async Task Delete_soft_deletes_then_purges_so_the_name_is_free_again()
    {
        var name = "purged-" + Guid.NewGuid().ToString("N")[..8];
        using (var created = await CreateAsync(name, "sftp.example.com"))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using var deleted = await _host.Client.DeleteAsync($"v2/sftpkeys/{name}");

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(_vault.Secrets.Keys.Concat(_vault.Deleted.Keys), Does.Not.Contain(Secret(name)));
        Assert.That((await _host.Client.GetAsync($"v2/sftpkeys/{name}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _host.Client.DeleteAsync($"v2/sftpkeys/{name}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var again = await CreateAsync(name, "sftp.example.com");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task A_purge_the_identity_may_not_do_leaves_the_name_reserved_and_a_create_gets_409()
    {
        _vault.RefusePurge = true;
        var name = "kept-" + Guid.NewGuid().ToString("N")[..8];
        using (var created = await CreateAsync(name, "sftp.example.com"))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using var deleted = await _host.Client.DeleteAsync($"v2/sftpkeys/{name}");
        using var again = await CreateAsync(name, "sftp.example.com");

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(_vault.Deleted.Keys, Does.Contain(Secret(name)));
        Assert.That((await _host.Client.GetAsync($"v2/sftpkeys/{name}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Two_creates_of_one_name_at_once_get_one_201_and_one_409_and_the_first_key_stays()
    {
        var name = "race-" + Guid.NewGuid().ToString("N")[..8];
        _vault.HoldLookupsOfAbsentSecrets(2);
        var creates = new[] { CreateAsync(name, "a.example.com"), CreateAsync(name, "b.example.com") };

        await Task.WhenAny(creates);
        _vault.ReleaseLookups();
        var responses = await Task.WhenAll(creates);

        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.Created).JsonAsync();
        var secret = _vault.Secrets[Secret(name)];
        Assert.That(secret["tags"]!["publicKey"]!.GetValue<string>(), Is.EqualTo(winner["publicKey"]!.GetValue<string>()));
        Assert.That((await (await _host.Client.GetAsync($"v2/sftpkeys/{name}")).JsonAsync()).ToJsonString(), Is.EqualTo(winner.ToJsonString()));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [TestCase("a%23b")]
    [TestCase("a%3Fb")]
    [TestCase("a%2Fb")]
    [TestCase("a%0Ab")]
    [TestCase("a%20b")]
    [TestCase("under_score")]
    [TestCase("a123456789012345678901234567890123456789012345678901234567890123x")]
    public async Task A_key_name_no_create_accepts_gets_400_naming_name_and_never_reaches_the_vault(string escaped)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var response = await _host.Client.SendAsync(new HttpRequestMessage(method, $"v2/sftpkeys/{escaped}"));
            var body = await response.JsonAsync();

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"{method} {body.ToJsonString()}");
            Assert.That(body["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "name" }));
        }

        Assert.That(_vault.NamesAsked, Is.Empty);
    }

    [Test]
    public async Task An_export_naming_a_key_no_create_accepts_gets_400_naming_savedKey_not_a_vault_error()
    {
        var body = JsonNode.Parse(HttpJson.Example("sftp.json"))!.AsObject();
        body["destination"] = new JsonObject
        {
            ["type"] = "sftp", ["server"] = "127.0.0.1", ["port"] = SshdServer.Current.Port, ["username"] = SshdServer.Current.KeyUser,
            ["savedKey"] = "partner_key", ["path"] = "never",
        };

        using var export = await _host.Client.PostExportAsync(body.ToJsonString());
        var text = await export.Content.ReadAsStringAsync();

        Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "destination.savedKey" }));
        Assert.That(_vault.NamesAsked, Is.Empty);
    }

    [Test]
    public async Task Another_accounts_key_of_one_name_is_a_secret_of_its_own_and_neither_account_sees_the_others()
    {
        var name = "shared-" + Guid.NewGuid().ToString("N")[..8];
        using var demo = await CreateAsync(name, "a.example.com");
        using var other = await CreateAsync(name, "b.example.com", _host.OtherClient);

        Assert.That((demo.StatusCode, other.StatusCode), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.Created)));
        Assert.That(_vault.Secrets[KeyVaultSftpKeyStore.SecretName(TestAccounts.OtherId, name)]["tags"]!["account"]!.GetValue<string>(),
            Is.EqualTo(TestAccounts.Other));
        using var otherDeletes = await _host.OtherClient.DeleteAsync($"v2/sftpkeys/{name}");
        Assert.That(otherDeletes.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await _host.OtherClient.GetAsync($"v2/sftpkeys/{name}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var stays = await (await _host.Client.GetAsync($"v2/sftpkeys/{name}")).JsonAsync();
        Assert.That(stays["hosts"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(new[] { "a.example.com" }));
    }

    [Test]
    public async Task A_secret_written_before_accounts_is_the_legacy_accounts_key_only()
    {
        var name = "old-" + Guid.NewGuid().ToString("N")[..8];
        var legacy = new KeyVaultSecret("sftpkey-" + name, "not used");
        legacy.Properties.Tags["audiencetrends"] = "sftpkey";
        legacy.Properties.Tags["name"] = name;
        legacy.Properties.Tags["host0"] = "sftp.example.com";
        await _vault.Client().SetSecretAsync(legacy);

        var legacyList = await (await _host.OtherClient.GetAsync("v2/sftpkeys")).JsonAsync();
        var demoList = await (await _host.Client.GetAsync("v2/sftpkeys")).JsonAsync();
        using var demoGets = await _host.Client.GetAsync($"v2/sftpkeys/{name}");
        using var demoDeletes = await _host.Client.DeleteAsync($"v2/sftpkeys/{name}");
        using var legacyDeletes = await _host.OtherClient.DeleteAsync($"v2/sftpkeys/{name}");

        Assert.That(legacyList.AsArray().Select(k => k!["name"]!.GetValue<string>()), Does.Contain(name));
        Assert.That(demoList.AsArray().Select(k => k!["name"]!.GetValue<string>()), Does.Not.Contain(name));
        Assert.That((demoGets.StatusCode, demoDeletes.StatusCode), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
        Assert.That(legacyDeletes.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(_vault.Secrets.Keys, Does.Not.Contain("sftpkey-" + name));
    }

    private static string Secret(string name) => KeyVaultSftpKeyStore.SecretName(TestAccounts.DemoId, name);

    private Task<HttpResponseMessage> CreateAsync(string name, string host, HttpClient? client = null) =>
        (client ?? _host.Client).PostAsync("v2/sftpkeys", HttpJson.Body(new JsonObject { ["name"] = name, ["hosts"] = new JsonArray(host) }.ToJsonString()));
}
