using System.Text.Json;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Ui;

/// <summary>
/// The page's own checks (checks.js, run in the browser) say what the server says, in its words and under the same
/// JSON path, for the same bad value: each case is sent to the server too and the two answers compared.
/// </summary>
public sealed class ClientChecksTests : JobsPageFixture
{
    private static readonly (string Path, string Rule, string? Destination, string Value)[] Fields =
    [
        ("name", "name", null, "my file"),
        ("name", "name", null, new string('a', 101)),
        ("selected_timeframe_start", "date", null, "2021-13-01"),
        ("selected_timeframe_start", "date", null, "17/08/2021"),
        ("destination.port", "port", "sftp", "0"),
        ("destination.port", "port", "sftp", "99999"),
        ("destination.server", "server", "sftp", "sftp://example.com"),
        ("destination.server", "server", "sftp", "example.com/folder"),
        ("destination.aws_region", "region", "s3", "US_WEST"),
        ("destination.aws_bucket", "bucket", "s3", "x"),
        ("destination.gcs_bucket", "bucket", "gcs", "no spaces allowed"),
        ("destination.hostKeyFingerprint", "fingerprint", "sftp", "MD5:aa"),
        ("destination.path", "path", "sftp", "a\\b"),
        ("destination.path", "path", "sftp", "a/../b"),
        ("webhook.url", "url", null, "ftp://example.com/hook"),
        ("webhook.secret", "secret", null, "not-a-secret"),
    ];

    [Test]
    public async Task Each_field_check_of_the_page_gives_the_servers_message_for_the_same_value()
    {
        await Page.GotoAsync("/ui/jobs");
        foreach (var (path, rule, destination, value) in Fields)
        {
            var client = await Page.EvaluateAsync<string[]>(
                "async ([path, value, rule]) => (await import('/ui/checks.js')).checkField(path, value, { required: true, rule })",
                new object[] { path, value, rule });
            var server = await ServerErrorsAsync(Body(path, destination, value));
            Assert.That(client, Is.Not.Empty.And.EqualTo(server.GetValueOrDefault(path) ?? []), $"{path} = {value}: server said {JsonSerializer.Serialize(server)}");
        }
    }

    [TestCase(new[] { "audience1", "audience1" }, "2021-07-16", "2021-08-16")]
    [TestCase(new[] { "audience1", " " }, "2021-07-16", "2021-08-16")]
    [TestCase(new[] { "audience1" }, "2021-08-16", "2021-07-16")]
    [TestCase(new[] { "audience1" }, "2021-01-01", "2022-01-02")]
    [TestCase(new string[0], "2021-07-16", "2021-08-16")]
    public async Task The_audiences_and_timeframe_checks_give_the_servers_messages(string[] audiences, string start, string end)
    {
        await Page.GotoAsync("/ui/jobs");
        var client = await Page.EvaluateAsync<Dictionary<string, string[]>>(
            """
            async ([audiences, start, end]) => {
              const c = await import('/ui/checks.js');
              const errors = c.checkAudiences(audiences);
              c.checkTimeframe(start, end, errors);
              return errors;
            }
            """,
            new object[] { audiences, start, end });
        var body = JsonNode.Parse(UiExample)!.AsObject();
        body["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)a).ToArray());
        body["selected_timeframe_start"] = start;
        body["selected_timeframe_end"] = end;

        Assert.That(client, Is.Not.Empty.And.EquivalentTo(await ServerErrorsAsync(body)));
    }

    [TestCase("parquet", "wide", null)]
    [TestCase("parquet", null, "gzip")]
    [TestCase("parquet", "wide", "gzip")]
    public async Task The_file_format_checks_give_the_servers_messages(string exportType, string? layout, string? compression)
    {
        await Page.GotoAsync("/ui/jobs");
        var client = await Page.EvaluateAsync<Dictionary<string, string[]>>(
            "async ([t, l, c]) => (await import('/ui/checks.js')).checkFile(t, l ?? '', c ?? 'none')",
            new object?[] { exportType, layout, compression });
        var body = JsonNode.Parse(UiExample)!.AsObject();
        body["exportType"] = exportType;
        if (layout is not null)
        {
            body["layout"] = layout;
        }

        if (compression is not null)
        {
            body["compression"] = compression;
        }

        Assert.That(client, Is.Not.Empty.And.EquivalentTo(await ServerErrorsAsync(body)));
    }

    /// <summary>The UI example with one field set (and the destination of that field's type, with its other fields valid).</summary>
    private static JsonObject Body(string path, string? destinationType, string value)
    {
        var body = JsonNode.Parse(UiExample)!.AsObject();
        body["destination"] = destinationType switch
        {
            "sftp" => new JsonObject { ["type"] = "sftp", ["server"] = "sftp.example.com", ["port"] = 22, ["username"] = "u", ["password"] = "p" },
            "s3" => new JsonObject { ["type"] = "s3", ["aws_bucket"] = "bucket", ["aws_region"] = "us-west-2", ["aws_access_key_id"] = "A", ["aws_secret_access_key"] = "B" },
            "gcs" => new JsonObject { ["type"] = "gcs", ["gcs_bucket"] = "bucket" },
            _ => body["destination"]!.DeepClone(),
        };
        if (path.StartsWith("webhook.", StringComparison.Ordinal))
        {
            body["webhook"] = new JsonObject { ["url"] = "https://example.com/hook", ["secret"] = "whsec_" + Convert.ToBase64String(new byte[32]) };
        }

        var segments = path.Split('.');
        var parent = segments[..^1].Aggregate((JsonNode)body, (node, segment) => node[segment]!).AsObject();
        parent[segments[^1]] = value;
        return body;
    }

    private async Task<Dictionary<string, string[]>> ServerErrorsAsync(JsonObject body)
    {
        using var response = await Host.Client.PostExportAsync(body.ToJsonString());
        var answer = await response.JsonAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), answer.ToJsonString());
        return answer["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value!.AsArray().Select(m => m!.GetValue<string>()).ToArray());
    }
}
