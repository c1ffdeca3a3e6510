using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>
/// Saved keys from the attacker's side: <see cref="TestAccounts.Other"/> (<c>host.OtherClient</c>) tries to read, list,
/// delete and use what <see cref="TestAccounts.Demo"/> (<c>host.Client</c>) holds, and the other way round. Another
/// account's key answers exactly as a name that does not exist. Here <see cref="TestAccounts.Other"/> also owns the
/// keys stored before accounts existed (<c>Accounts:LegacyAccount</c>), and an account may hold two keys.
/// </summary>
public sealed class SftpKeysAccountTests
{
    private const int Limit = 2;

    private Dictionary<string, string?> _settings = [];
    private InProcessFunctionsHost _host = null!;

    [SetUp]
    public async Task StartApp()
    {
        _settings = await TestApp.SettingsAsync();
        _settings["SftpKeys:TableName"] = "sftpkeys" + Guid.NewGuid().ToString("N")[..12];
        _settings["SftpKeys:MaxKeysPerAccount"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _settings["Accounts:LegacyAccount"] = TestAccounts.Other;
        (_host, _) = await TestApp.StartInProcessAsync(_settings);
    }

    [TearDown]
    public async Task StopApp()
    {
        await KeyTable().DeleteAsync();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task Another_account_cannot_get_list_delete_or_use_a_key_and_hears_what_an_unknown_name_gets()
    {
        var name = "demo-only-" + Unique();
        Assert.That((await CreateAsync(_host.Client, name, "127.0.0.1")).Status, Is.EqualTo(HttpStatusCode.Created));

        var (getStatus, getBody) = await SendAsync(_host.OtherClient, HttpMethod.Get, $"v2/sftpkeys/{name}");
        var (unknownStatus, unknownBody) = await SendAsync(_host.OtherClient, HttpMethod.Get, $"v2/sftpkeys/{name}x");
        var (deleteStatus, _) = await SendAsync(_host.OtherClient, HttpMethod.Delete, $"v2/sftpkeys/{name}");
        var list = (await SendAsync(_host.OtherClient, HttpMethod.Get, "v2/sftpkeys")).Body.AsArray();
        using var export = await _host.OtherClient.PostExportAsync(ExportBody(name));
        using var probe = await _host.OtherClient.PostAsync("v2/destinations/test", HttpJson.Body(DestinationTestBody(name)));

        Assert.That((getStatus, unknownStatus, deleteStatus), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
        Assert.That(getBody["detail"]!.GetValue<string>(), Is.EqualTo(unknownBody["detail"]!.GetValue<string>().Replace(name + "x", name, StringComparison.Ordinal)));
        Assert.That(Names(list), Does.Not.Contain(name));
        await AssertRefusedSavedKeyAsync(export);
        await AssertRefusedSavedKeyAsync(probe);
        Assert.That((await SendAsync(_host.Client, HttpMethod.Get, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.OK), "the owner's key stays");
    }

    [Test]
    public async Task Two_accounts_create_one_name_independently_and_a_delete_removes_only_the_deleters_key()
    {
        var name = "partner-" + Unique();

        var (demoStatus, demoKey) = await CreateAsync(_host.Client, name, "a.example.com");
        var (otherStatus, otherKey) = await CreateAsync(_host.OtherClient, name.ToUpperInvariant(), "b.example.com");
        var (deleted, _) = await SendAsync(_host.OtherClient, HttpMethod.Delete, $"v2/sftpkeys/{name}");

        Assert.That((demoStatus, otherStatus, deleted), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.NoContent)));
        Assert.That(otherKey["publicKey"]!.GetValue<string>(), Is.Not.EqualTo(demoKey["publicKey"]!.GetValue<string>()));
        Assert.That((await SendAsync(_host.OtherClient, HttpMethod.Get, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        var (demoGet, demoNow) = await SendAsync(_host.Client, HttpMethod.Get, $"v2/sftpkeys/{name}");
        Assert.That(demoGet, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(demoNow.ToJsonString(), Is.EqualTo(demoKey.ToJsonString()));
    }

    [Test]
    public async Task A_settings_key_is_the_listed_accounts_only_and_its_name_is_taken_for_everyone_alike()
    {
        // ExampleSavedKey lists demo only (Sftp:SavedKeyAccounts:myKeyName).
        var name = ExampleSavedKey.Name;
        var (getStatus, _) = await SendAsync(_host.OtherClient, HttpMethod.Get, $"v2/sftpkeys/{name}");
        var (deleteStatus, _) = await SendAsync(_host.OtherClient, HttpMethod.Delete, $"v2/sftpkeys/{name}");
        var list = (await SendAsync(_host.OtherClient, HttpMethod.Get, "v2/sftpkeys")).Body.AsArray();
        using var export = await _host.OtherClient.PostExportAsync(ExportBody(name, ExampleSavedKey.Host));
        var (createStatus, createBody) = await CreateAsync(_host.OtherClient, name, ExampleSavedKey.Host);
        var taken = "taken-" + Unique();
        await CreateAsync(_host.OtherClient, taken, "a.example.com");
        var (_, takenBody) = await CreateAsync(_host.OtherClient, taken, "a.example.com");

        Assert.That((getStatus, deleteStatus), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
        Assert.That(Names(list), Does.Not.Contain(name).And.Not.Contain(ExampleSavedKey.ShortestName));
        await AssertRefusedSavedKeyAsync(export);
        Assert.That(createStatus, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(createBody["detail"]!.GetValue<string>(), Is.EqualTo(takenBody["detail"]!.GetValue<string>().Replace(taken, name, StringComparison.Ordinal)));
        var (demoStatus, demoKey) = await SendAsync(_host.Client, HttpMethod.Get, $"v2/sftpkeys/{name}");
        Assert.That(demoStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(demoKey["source"]!.GetValue<string>(), Is.EqualTo("settings"));
    }

    [Test]
    public async Task A_row_stored_before_accounts_is_the_legacy_accounts_key_only()
    {
        var name = "old-" + Unique();
        var table = KeyTable();
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("sftpkey", name)
        {
            ["Name"] = name, ["PublicKey"] = "ssh-ed25519 AAAA audiencetrends:" + name, ["Fingerprint"] = "SHA256:old", ["Hosts"] = "127.0.0.1",
        });

        var (demoGet, _) = await SendAsync(_host.Client, HttpMethod.Get, $"v2/sftpkeys/{name}");
        var demoList = (await SendAsync(_host.Client, HttpMethod.Get, "v2/sftpkeys")).Body.AsArray();
        using var demoProbe = await _host.Client.PostAsync("v2/destinations/test", HttpJson.Body(DestinationTestBody(name)));
        var (demoDelete, _) = await SendAsync(_host.Client, HttpMethod.Delete, $"v2/sftpkeys/{name}");
        var (legacyGet, legacyKey) = await SendAsync(_host.OtherClient, HttpMethod.Get, $"v2/sftpkeys/{name}");
        var legacyList = (await SendAsync(_host.OtherClient, HttpMethod.Get, "v2/sftpkeys")).Body.AsArray();
        var (recreate, _) = await CreateAsync(_host.OtherClient, name, "127.0.0.1");

        Assert.That((demoGet, demoDelete), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
        Assert.That(Names(demoList), Does.Not.Contain(name));
        await AssertRefusedSavedKeyAsync(demoProbe);
        Assert.That(legacyGet, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(legacyKey["fingerprint"]!.GetValue<string>(), Is.EqualTo("SHA256:old"));
        Assert.That(Names(legacyList), Does.Contain(name));
        Assert.That(recreate, Is.EqualTo(HttpStatusCode.Conflict), "the legacy key holds its name for its account");
        Assert.That((await SendAsync(_host.OtherClient, HttpMethod.Delete, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await table.QueryAsync<TableEntity>(e => e.PartitionKey == "sftpkey").ToListAsync(), Is.Empty);
    }

    [Test]
    public async Task An_account_at_its_key_limit_gets_409_naming_the_limit_and_another_account_does_not()
    {
        var names = Enumerable.Range(0, Limit).Select(i => $"limit{i}-" + Unique()).ToList();
        foreach (var name in names)
        {
            Assert.That((await CreateAsync(_host.Client, name, "a.example.com")).Status, Is.EqualTo(HttpStatusCode.Created));
        }

        var (refused, problem) = await CreateAsync(_host.Client, "one-more-" + Unique(), "a.example.com");
        var (other, _) = await CreateAsync(_host.OtherClient, "one-more-" + Unique(), "a.example.com");

        Assert.That(refused, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain($"{Limit} saved SFTP keys").And.Contain("SftpKeys:MaxKeysPerAccount"));
        Assert.That(other, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await SendAsync(_host.Client, HttpMethod.Delete, $"v2/sftpkeys/{names[0]}")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await CreateAsync(_host.Client, "after-delete-" + Unique(), "a.example.com")).Status, Is.EqualTo(HttpStatusCode.Created));
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    private static IEnumerable<string> Names(JsonArray list) => list.Select(k => k!["name"]!.GetValue<string>());

    private TableClient KeyTable() =>
        _host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(_settings["SftpKeys:TableName"]);

    private static Task<(HttpStatusCode Status, JsonNode Body)> CreateAsync(HttpClient client, string name, string host) =>
        SendAsync(client, HttpMethod.Post, "v2/sftpkeys", new JsonObject { ["name"] = name, ["hosts"] = new JsonArray(host) }.ToJsonString());

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : HttpJson.Body(json) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    private static JsonObject Destination(string savedKey, string server) => new()
    {
        ["type"] = "sftp", ["server"] = server, ["port"] = 22, ["username"] = "partner", ["savedKey"] = savedKey, ["path"] = "in",
    };

    /// <summary>The SFTP example naming <paramref name="savedKey"/>, for an audience the other account has too (audience1).</summary>
    private static string ExportBody(string savedKey, string server = "127.0.0.1")
    {
        var body = JsonNode.Parse(HttpJson.WithAudiences(HttpJson.Example("sftp.json"), ["audience1"]))!.AsObject();
        body["destination"] = Destination(savedKey, server);
        return body.ToJsonString();
    }

    private static string DestinationTestBody(string savedKey) =>
        new JsonObject { ["destination"] = Destination(savedKey, "127.0.0.1") }.ToJsonString();

    private static async Task AssertRefusedSavedKeyAsync(HttpResponseMessage refused)
    {
        var text = await refused.Content.ReadAsStringAsync();
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "destination.savedKey" }));
    }
}
