using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.Sftp.Keys;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>
/// Saved keys through the API, against the real pipeline (in-process host, Azurite) and the tests' real sshd: a key
/// created by the API logs in once its public line is installed, its host binding holds, its deletion stops every
/// later and every queued export, and its private half appears in no response, log line, row or message.
/// </summary>
public sealed class SftpKeysApiTests
{
    private readonly List<string> _responses = [];
    private Dictionary<string, string?> _settings = [];
    private InProcessFunctionsHost _host = null!;
    private CapturingLoggerProvider _logs = null!;

    private static SshdServer Server => SshdServer.Current;

    [SetUp]
    public async Task StartApp()
    {
        _settings = await TestApp.SettingsAsync();
        _settings["SftpKeys:TableName"] = "sftpkeys" + Guid.NewGuid().ToString("N")[..12];
        (_host, _logs) = await TestApp.StartInProcessAsync(_settings);
    }

    [TearDown]
    public async Task StopApp()
    {
        await KeyTable().DeleteAsync();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task A_created_key_installed_on_the_server_delivers_the_file_byte_exact()
    {
        var name = "partner-" + Unique();
        var (status, key) = await CreateAsync(name, "127.0.0.1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), key.ToJsonString());
        Assert.That(key["name"]!.GetValue<string>(), Is.EqualTo(name));
        Assert.That(key["hosts"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(new[] { "127.0.0.1" }));
        Assert.That(key["source"]!.GetValue<string>(), Is.EqualTo("api"));
        Assert.That(key["created"], Is.Not.Null);
        var publicKey = key["publicKey"]!.GetValue<string>();
        Assert.That(publicKey, Does.Match($"^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ audiencetrends:{name}$"));
        Assert.That(key["fingerprint"]!.GetValue<string>(), Is.EqualTo(KeygenFingerprint(publicKey)));
        Assert.That((await GetAsync($"v2/sftpkeys/{name}")).Body.ToJsonString(), Is.EqualTo(key.ToJsonString()));

        Server.AuthorizeKey(publicKey);
        var folder = "keys-" + Unique();
        var job = await ExportAsync(name, "127.0.0.1", folder);
        var final = await _host.WaitForFinalJobAsync(job["jobId"]!.GetValue<string>());

        Assert.That(final["status"]!.GetValue<string>(), Is.EqualTo("Done"), final.ToJsonString());
        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(_settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(Server.KeyUserHome, folder, "audiencetrends.csv")), Is.EqualTo(expected));
        await AssertNoPrivateMaterialAsync(name);
    }

    [Test]
    public async Task A_server_the_key_is_not_bound_to_gets_400_naming_destination_savedKey()
    {
        var name = "bound-" + Unique();
        var (status, key) = await CreateAsync(name, "sftp.partner.example", "[::1]");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(key["hosts"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(new[] { "sftp.partner.example", "::1" }));
        Server.AuthorizeKey(key["publicKey"]!.GetValue<string>());

        using var refused = await _host.Client.PostExportAsync(ExportBody(name, "127.0.0.1", "unbound"));

        await AssertRefusedSavedKeyAsync(refused);
        Assert.That(Directory.Exists(Path.Combine(Server.KeyUserHome, "unbound")), Is.False);
    }

    [Test]
    public async Task A_deleted_key_is_gone_and_an_export_naming_it_gets_400()
    {
        var name = "gone-" + Unique();
        Assert.That((await CreateAsync(name, "127.0.0.1")).Status, Is.EqualTo(HttpStatusCode.Created));

        Assert.That((await SendAsync(HttpMethod.Delete, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NoContent));

        Assert.That((await GetAsync($"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await SendAsync(HttpMethod.Delete, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await GetAsync("v2/sftpkeys")).Body.AsArray().Select(k => k!["name"]!.GetValue<string>()), Does.Not.Contain(name));
        using var refused = await _host.Client.PostExportAsync(ExportBody(name, "127.0.0.1", "gone"));
        await AssertRefusedSavedKeyAsync(refused);
        using var testRefused = await _host.Client.PostAsync("v2/destinations/test", HttpJson.Body(DestinationTestBody(name, "127.0.0.1")));
        await AssertRefusedSavedKeyAsync(testRefused);
    }

    [Test]
    public async Task A_destination_test_naming_a_key_bound_to_another_host_gets_400()
    {
        var name = "probe-bound-" + Unique();
        Assert.That((await CreateAsync(name, "sftp.partner.example")).Status, Is.EqualTo(HttpStatusCode.Created));

        using var refused = await _host.Client.PostAsync("v2/destinations/test", HttpJson.Body(DestinationTestBody(name, "127.0.0.1")));

        await AssertRefusedSavedKeyAsync(refused);
    }

    [Test]
    public async Task A_job_whose_key_is_deleted_after_it_was_queued_fails_once_naming_the_key()
    {
        var name = "queued-" + Unique();
        var (_, key) = await CreateAsync(name, "127.0.0.1");
        Server.AuthorizeKey(key["publicKey"]!.GetValue<string>());
        var folder = "queued-" + Unique();
        var job = await ExportAsync(name, "127.0.0.1", folder);
        var messages = (await _host.JobQueue(_settings).PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString());
        var privateKey = await PrivateKeyAsync(name);
        foreach (var message in messages)
        {
            AssertNoPrivateMaterial(message, privateKey, "queue message");
        }

        Assert.That((await SendAsync(HttpMethod.Delete, $"v2/sftpkeys/{name}")).Status, Is.EqualTo(HttpStatusCode.NoContent));
        var final = await _host.WaitForFinalJobAsync(job["jobId"]!.GetValue<string>());

        Assert.That(final["status"]!.GetValue<string>(), Is.EqualTo("Failed"), final.ToJsonString());
        Assert.That(final["error"]!["code"]!.GetValue<string>(), Is.EqualTo("saved_key_not_found"));
        Assert.That(final["error"]!["message"]!.GetValue<string>(), Does.Contain($"'{name}'"));
        Assert.That(_host.QueueFailures, Is.Empty, "failed for good at the first attempt, not retried");
        Assert.That(Directory.Exists(Path.Combine(Server.KeyUserHome, folder)), Is.False);
        AssertNoPrivateMaterial(string.Join("\n", _responses) + _logs.AllText, privateKey, "responses and logs");
    }

    [Test]
    public async Task A_taken_name_gets_409_whether_created_through_the_api_or_in_the_settings()
    {
        var name = "twice-" + Unique();
        Assert.That((await CreateAsync(name, "127.0.0.1")).Status, Is.EqualTo(HttpStatusCode.Created));

        var (again, problem) = await CreateAsync(name.ToUpperInvariant(), "sftp.example.com");
        var (settingsName, _) = await CreateAsync(ExampleSavedKey.Name, "sftp.example.com");

        Assert.That(again, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("already exists"));
        Assert.That(settingsName, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [TestCase("""{"name": "bad name!", "hosts": ["sftp.example.com"]}""", "name")]
    [TestCase("""{"name": "a234567890123456789012345678901234567890123456789012345678901234x", "hosts": ["h.example"]}""", "name")]
    [TestCase("""{"name": "ok", "hosts": []}""", "hosts")]
    [TestCase("""{"name": "ok", "hosts": ["*.example.com"]}""", "hosts")]
    [TestCase("""{"name": "ok", "hosts": ["sftp.example.com:22"]}""", "hosts")]
    [TestCase("""{"name": "ok", "hosts": ["sftp://example.com"]}""", "hosts")]
    [TestCase("""{"name": "ok", "hosts": "sftp.example.com"}""", "hosts")]
    [TestCase("""{"name": "ok", "hosts": [1]}""", "hosts")]
    [TestCase("""{"hosts": ["a.example","b.example","c.example","d.example","e.example","f.example","g.example","h.example","i.example","j.example","k.example"]}""", "name,hosts")]
    [TestCase("""["name"]""", "$")]
    [TestCase("""{"name": "ok", "hosts": ["\uD800.example"]}""", "$")]
    public async Task A_bad_request_gets_400_naming_each_field(string body, string fields)
    {
        using var response = await _host.Client.PostAsync("v2/sftpkeys", HttpJson.Body(body));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key);
        Assert.That(errors, Is.EquivalentTo(fields.Split(',')));
        Assert.That((await GetAsync("v2/sftpkeys")).Body.AsArray().Where(k => k!["source"]!.GetValue<string>() == "api"), Is.Empty);
    }

    [Test]
    public async Task Settings_keys_are_listed_read_only_with_their_public_key_and_cannot_be_deleted()
    {
        var name = "listed-" + Unique();
        await CreateAsync(name, "127.0.0.1");

        var list = (await GetAsync("v2/sftpkeys")).Body.AsArray();
        var settingsKey = list.Single(k => k!["name"]!.GetValue<string>() == ExampleSavedKey.Name)!;
        var deleted = await SendAsync(HttpMethod.Delete, $"v2/sftpkeys/{ExampleSavedKey.Name}");

        Assert.That(list.Select(k => k!["name"]!.GetValue<string>()), Is.SupersetOf(new[] { ExampleSavedKey.ShortestName, ExampleSavedKey.Name, name }));
        Assert.That(settingsKey["source"]!.GetValue<string>(), Is.EqualTo("settings"));
        Assert.That(settingsKey["readOnly"]!.GetValue<bool>(), Is.True);
        Assert.That(settingsKey["hosts"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(new[] { ExampleSavedKey.Host }));
        Assert.That(settingsKey["fingerprint"]!.GetValue<string>(), Is.EqualTo(KeygenFingerprint(settingsKey["publicKey"]!.GetValue<string>())));
        Assert.That(deleted.Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(deleted.Body["detail"]!.GetValue<string>(), Does.Contain("settings"));
        Assert.That((await GetAsync("v2/sftpkeys/no-such-key")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(string.Join("\n", _responses), Does.Not.Contain("PRIVATE KEY"));
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    private TableClient KeyTable() =>
        _host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(_settings["SftpKeys:TableName"]);

    private Task<(HttpStatusCode Status, JsonNode Body)> CreateAsync(string name, params string[] hosts) =>
        SendAsync(HttpMethod.Post, "v2/sftpkeys", new JsonObject
        {
            ["name"] = name,
            ["hosts"] = new JsonArray(hosts.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
        }.ToJsonString());

    private Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : HttpJson.Body(json) };
        using var response = await _host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        _responses.Add(text);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(SftpKeysFunctionsPath(JsonNode.Parse(text)!["name"]!.GetValue<string>())));
        }

        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    private static string SftpKeysFunctionsPath(string name) => AudienceTrends.Functions.SftpKeysFunctions.KeyPath(name);

    private static string ExportBody(string savedKey, string server, string folder)
    {
        var body = JsonNode.Parse(HttpJson.Example("sftp.json"))!.AsObject();
        body["destination"] = new JsonObject
        {
            ["type"] = "sftp",
            ["server"] = server,
            ["port"] = Server.Port,
            ["username"] = Server.KeyUser,
            ["savedKey"] = savedKey,
            ["path"] = folder,
        };
        return body.ToJsonString();
    }

    private static string DestinationTestBody(string savedKey, string server) =>
        new JsonObject { ["destination"] = JsonNode.Parse(ExportBody(savedKey, server, "probe"))!["destination"]!.DeepClone() }.ToJsonString();

    private async Task<JsonNode> ExportAsync(string savedKey, string server, string folder)
    {
        using var response = await _host.Client.PostExportAsync(ExportBody(savedKey, server, folder));
        var text = await response.Content.ReadAsStringAsync();
        _responses.Add(text);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), text);
        return JsonNode.Parse(text)!;
    }

    private async Task AssertRefusedSavedKeyAsync(HttpResponseMessage refused)
    {
        var text = await refused.Content.ReadAsStringAsync();
        _responses.Add(text);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "destination.savedKey" }));
    }

    private async Task<string> PrivateKeyAsync(string name) =>
        await _host.Services.GetRequiredService<ISftpKeyStore>().GetPrivateKeyAsync(TestAccounts.DemoId, name, CancellationToken.None)
        ?? throw new AssertionException($"no private key stored for {name}");

    /// <summary>Every response, log line, key row (but its ciphertext column) and job row, searched for the private key.</summary>
    private async Task AssertNoPrivateMaterialAsync(string name)
    {
        var privateKey = await PrivateKeyAsync(name);
        AssertNoPrivateMaterial(string.Join("\n", _responses), privateKey, "responses");
        AssertNoPrivateMaterial(_logs.AllText, privateKey, "log lines");
        var keyRows = await KeyTable().QueryAsync<TableEntity>().ToListAsync();
        Assert.That(keyRows, Has.Count.EqualTo(1));
        Assert.That(keyRows[0].Keys, Does.Contain("EncryptedPrivateKey"));
        foreach (var row in keyRows.Concat(await _host.JobTable(_settings).QueryAsync<TableEntity>().ToListAsync()))
        {
            foreach (var (column, value) in row.Where(c => c.Key != "EncryptedPrivateKey"))
            {
                AssertNoPrivateMaterial(value?.ToString() ?? "", privateKey, $"row column {column}");
            }
        }
    }

    private static void AssertNoPrivateMaterial(string text, string privateKey, string where)
    {
        Assert.That(text, Does.Not.Contain("PRIVATE KEY"), where);
        Assert.That(text, Does.Not.Contain("b3BlbnNzaC1rZXktdjE"), where + ": the base64 of openssh-key-v1");
        foreach (var line in privateKey.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)))
        {
            Assert.That(text, Does.Not.Contain(line), where);
        }
    }

    private static string KeygenFingerprint(string publicKeyLine)
    {
        var folder = Directory.CreateTempSubdirectory("sftpkey-fp-").FullName;
        try
        {
            var file = Path.Combine(folder, "key.pub");
            File.WriteAllText(file, publicKeyLine + "\n");
            return TestHost.Run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]).Output.Split(' ')[1];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
