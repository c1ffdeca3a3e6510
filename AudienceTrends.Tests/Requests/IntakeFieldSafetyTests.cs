using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Requests;

/// <summary>
/// Through the real HTTP intake: control characters in anything that reaches a protocol line or header, paths that
/// could leave the login folder (<c>..</c>, or <c>~user</c> on a server with tilde expansion), and saved keys unknown or not bound to the server get a 400 naming the field,
/// without echoing the value.
/// </summary>
public sealed class IntakeFieldSafetyTests
{
    private const string Secret = "Quokka-51c2e8";

    private InProcessFunctionsHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => (_host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static IEnumerable<TestCaseData> ControlCharacters()
    {
        yield return Case("s3", "aws_access_key_id", $"AKIA{Secret}\r\nX-Amz-Injected: 1", "CR LF in the access key id");
        yield return Case("s3", "aws_access_key_id", $"AKIA{Secret}\n", "LF in the access key id");
        yield return Case("s3", "aws_secret_access_key", $"{Secret}\r\nHost: evil", "CR LF in the secret key");
        yield return Case("ftp", "password", $"{Secret}\nDELE important.csv", "bare LF in the FTP password");
        yield return Case("ftp", "password", $"{Secret}\r\nDELE important.csv", "CR LF in the FTP password");
        yield return Case("sftp", "password", $"{Secret}\u0000", "NUL in the SFTP password");
        yield return Case("sftp", "password", $"{Secret}\u007F", "DEL in the SFTP password");
        yield return Case("ftp", "username", $"user{Secret}\u2028SITE x", "line separator in the username");
        yield return Case("ftp", "username", $"user{Secret}\tx", "TAB in the username");
        yield return Case("sftp", "server", $"host{Secret}\u2029x", "paragraph separator in the server");
        yield return Case("gcs", "gcs_bucket", $"bucket{Secret}\r\n", "CR LF in the bucket");
        yield return Case("s3", "aws_region", $"us{Secret}\n", "LF in the region");
        yield return Case("s3", "path", $"folder{Secret}\u0085x", "NEL in the path");
        yield return Case("sftp", "hostKeyFingerprint", $"SHA256:{Secret}\r\n", "CR LF in the host key fingerprint");
        yield return Case("sftp", "savedKey", $"key{Secret}\n", "LF in the saved key name", dropPassword: true);
        yield return new TestCaseData(WithField("ui-download.json", null, "name", $"name{Secret}\r\nX: y"), "name")
            .SetArgDisplayNames("CR LF in the name (it becomes a header's file name)");
    }

    private static IEnumerable<TestCaseData> EscapingPaths()
    {
        string[] paths =
        [
            " .. / .. /etc", "..", " ..", ".. ", "/exports/ .. /x", "..\\..\\etc", "exports\\x", "%2e%2e/etc", "%2E%2E%2Fetc",
            "a/%2e%2e", "a/ /b", "a/\u0000/b", "a\u0000", "a/\t/b", "~root", "~", "/~/x", "./~other/x", "a/~b",
        ];
        foreach (var type in new[] { "sftp", "ftp", "s3", "gcs" })
        {
            foreach (var path in paths)
            {
                yield return Case(type, "path", path, $"{type} path \"{Escape(path)}\"");
            }
        }
    }

    [TestCaseSource(nameof(ControlCharacters))]
    [TestCaseSource(nameof(EscapingPaths))]
    public async Task Is_refused_with_a_problem_naming_the_field_and_not_echoing_it(string body, string field)
    {
        var response = await _host.Client.PostExportAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { field }), text);
        Assert.That(errors[field]!.ToJsonString(), Does.Contain(field));
        Assert.That(text, Does.Not.Contain(Secret));
    }

    [TestCase("sftp", "/")]
    [TestCase("sftp", "folder")]
    [TestCase("sftp", "/audiencetrendsexport")]
    [TestCase("ftp", "/folder/contactsExport.csv")]
    [TestCase("s3", "//folder//sub/")]
    [TestCase("gcs", "./folder/my reports")]
    [TestCase("sftp", "100%/done")]
    [TestCase("ftp", "a~b/c~")]
    public async Task Ordinary_paths_are_accepted(string type, string path)
    {
        var response = await _host.Client.PostExportAsync(WithField($"{type}.json", null, "path", path));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase("no-such-key", "sftp.example.com", TestName = "An unknown saved key is refused at intake")]
    [TestCase("myKeyName", "sftp.other.example", TestName = "A saved key is refused at intake for a host it is not bound to")]
    [TestCase("MYKEYNAME", "127.0.0.1", TestName = "A saved key is refused at intake for an address of its host")]
    public async Task A_saved_key_is_refused_naming_destination_savedKey(string savedKey, string server)
    {
        var body = JsonNode.Parse(HttpJson.Example("sftp-saved-key.json"))!.AsObject();
        body["destination"]!["savedKey"] = savedKey;
        body["destination"]!["server"] = server;

        var response = await _host.Client.PostExportAsync(body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "destination.savedKey" }), text);
    }

    [TestCase("sftp.example.com")]
    [TestCase("SFTP.Example.COM")]
    public async Task A_saved_key_is_accepted_for_its_host(string server)
    {
        var body = JsonNode.Parse(HttpJson.Example("sftp-saved-key.json"))!.AsObject();
        body["destination"]!["server"] = server;

        var response = await _host.Client.PostExportAsync(body.ToJsonString());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    private static TestCaseData Case(string type, string property, string value, string description, bool dropPassword = false)
    {
        var example = dropPassword ? "sftp-saved-key.json" : $"{type}.json";
        return new TestCaseData(WithField(example, "destination", property, value), $"destination.{property}")
            .SetArgDisplayNames(description);
    }

    private static string WithField(string example, string? objectName, string property, string value)
    {
        var body = JsonNode.Parse(HttpJson.Example(example))!.AsObject();
        var target = objectName is null && property != "path" ? body : body["destination"]!.AsObject();
        target[property] = value;
        return body.ToJsonString();
    }

    private static string Escape(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
