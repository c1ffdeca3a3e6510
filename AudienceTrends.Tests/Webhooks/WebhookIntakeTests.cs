using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>
/// A request's <c>webhook</c> is checked at intake through the HTTP API: its shape, its secret, and where its host
/// resolves, as the network guard sees it (127.0.0.1/32 is the test's allowed network). No receiver is ever called here.
/// </summary>
public sealed class WebhookIntakeTests
{
    private static readonly IHostResolver Names = new MapResolver(new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase)
    {
        ["hooks.example.net"] = IPAddress.Parse("93.184.215.14"),
        ["internal.example.net"] = IPAddress.Parse("10.20.30.40"),
        ["metadata.example.net"] = IPAddress.Parse("169.254.169.254"),
        ["receiver.example.com"] = IPAddress.Loopback,
    });

    private InProcessFunctionsHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        (_host, _) = await TestApp.StartInProcessAsync(await WebhookTestApp.SettingsAsync(), services => services.AddSingleton(Names));

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [TestCase("https://10.0.0.5/hooks", "public address")]
    [TestCase("https://192.168.10.20:8443/hooks", "public address")]
    [TestCase("https://internal.example.net/hooks", "public address")]
    [TestCase("https://metadata.example.net/latest", "public address")]
    [TestCase("https://[fd00::1]/hooks", "public address")]
    [TestCase("http://hooks.example.net/hooks", "must use https")]
    [TestCase("http://93.184.215.14/hooks", "must use https")]
    [TestCase("https://nowhere.example.net/hooks", "public address")]
    [TestCase("https://user:pw@hooks.example.net/hooks", "without user name")]
    [TestCase("ftp://hooks.example.net/hooks", "https URL")]
    [TestCase("hooks.example.net/hooks", "https URL")]
    [TestCase("https://hooks.example.net/hooks#part", "fragment")]
    public async Task A_receiver_the_service_must_not_call_gets_400_naming_webhook_url(string url, string problem)
    {
        var answer = await PostAsync(WebhookTestApp.ExportWith(url, WebhookTestApp.NewSecret()), HttpStatusCode.BadRequest);

        var errors = answer["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { "webhook.url" }), answer.ToJsonString());
        Assert.That(errors["webhook.url"]![0]!.GetValue<string>(), Does.StartWith("webhook.url ").And.Contain(problem));
        Assert.That(answer.ToJsonString(), Does.Not.Contain("10.20.30.40").And.Not.Contain("169.254"), "resolved addresses are not shown");
    }

    [Test]
    public async Task A_name_that_does_not_exist_and_an_internal_name_get_the_same_400()
    {
        var missing = await PostAsync(WebhookTestApp.ExportWith("https://nowhere.example.net/hooks", WebhookTestApp.NewSecret()), HttpStatusCode.BadRequest);
        var internalName = await PostAsync(WebhookTestApp.ExportWith("https://internal.example.net/hooks", WebhookTestApp.NewSecret()), HttpStatusCode.BadRequest);

        Assert.That(missing["errors"]!["webhook.url"]![0]!.GetValue<string>(),
            Is.EqualTo(internalName["errors"]!["webhook.url"]![0]!.GetValue<string>()), "intake does not say which names exist");
        Assert.That(missing["errors"]!["webhook.url"]![0]!.GetValue<string>(), Does.Contain("no usable address"));
    }

    [TestCase("https://hooks.example.net/hooks?token=abc", "https://hooks.example.net/hooks")]
    [TestCase("http://127.0.0.1:9/hooks", "http://127.0.0.1:9/hooks")]
    [TestCase("http://receiver.example.com:9/in?x=1", "http://receiver.example.com:9/in")]
    public async Task A_public_https_receiver_or_one_inside_the_allowed_networks_is_accepted(string url, string shown)
    {
        var job = await PostAsync(WebhookTestApp.ExportWith(url, WebhookTestApp.NewSecret()), HttpStatusCode.Accepted);

        Assert.That(job["webhook"]!.ToJsonString(), Is.EqualTo(new JsonObject
        {
            ["url"] = shown, ["status"] = "Pending", ["attempts"] = 0, ["lastStatusCode"] = null,
        }.ToJsonString()), "the query string, which may hold the receiver's own token, is not shown");
    }

    [Test]
    public async Task A_job_without_webhook_shows_none()
    {
        var job = await PostAsync(HttpJson.Example("ui-download.json"), HttpStatusCode.Accepted);

        Assert.That(job.AsObject().ContainsKey("webhook"), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("secret")]
    [TestCase("whsec_")]
    [TestCase("whsec_not base64!")]
    [TestCase("WHSEC_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")]
    [TestCase("whsec_MTIzNDU2Nzg5MDEyMzQ1Ng==")]
    public async Task A_secret_that_is_not_whsec_and_base64_of_24_to_64_bytes_gets_400_naming_webhook_secret(string? secret)
    {
        var body = JsonNode.Parse(WebhookTestApp.ExportWith("https://hooks.example.net/hooks", "x"))!;
        body["webhook"]!["secret"] = secret;

        var answer = await PostAsync(body.ToJsonString(), HttpStatusCode.BadRequest);

        Assert.That(answer["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "webhook.secret" }), answer.ToJsonString());
        if (secret is { Length: > 10 })
        {
            Assert.That(answer.ToJsonString(), Does.Not.Contain(secret[6..]), "the value is not echoed");
        }
    }

    [Test]
    public async Task A_secret_of_65_bytes_is_refused_and_one_of_64_accepted()
    {
        var tooLong = WebhookSignature.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(65));
        var longest = WebhookSignature.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

        var refused = await PostAsync(WebhookTestApp.ExportWith("https://hooks.example.net/hooks", tooLong), HttpStatusCode.BadRequest);
        await PostAsync(WebhookTestApp.ExportWith("https://hooks.example.net/hooks", longest), HttpStatusCode.Accepted);

        Assert.That(refused["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "webhook.secret" }));
    }

    [Test]
    public async Task Every_problem_is_listed_at_once_and_a_webhook_must_be_an_object()
    {
        var body = JsonNode.Parse(WebhookTestApp.ExportWith("https://user@hooks.example.net/", "whsec_x"))!;
        body.AsObject().Remove("name");
        var both = await PostAsync(body.ToJsonString(), HttpStatusCode.BadRequest);
        body["webhook"] = "https://hooks.example.net/";
        var notObject = await PostAsync(body.ToJsonString(), HttpStatusCode.BadRequest);

        Assert.That(both["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "name", "webhook.url", "webhook.secret" }));
        Assert.That(notObject["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "name", "webhook" }));
    }

    [Test]
    public async Task The_webhook_example_is_accepted_as_written()
    {
        var job = await PostAsync(File.ReadAllText(RepositoryPaths.Combine("examples", "webhook", "ui-download-webhook.json")),
            HttpStatusCode.Accepted);

        Assert.That(job["webhook"]!["url"]!.GetValue<string>(), Is.EqualTo("https://receiver.example.com/hooks/audiencetrends"));
    }

    private async Task<JsonNode> PostAsync(string body, HttpStatusCode expected)
    {
        using var response = await _host.Client.PostExportAsync(body);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), answer);
        return JsonNode.Parse(answer)!;
    }

    private sealed class MapResolver(IReadOnlyDictionary<string, IPAddress> names) : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            names.TryGetValue(host, out var address)
                ? Task.FromResult(new[] { address })
                : throw new SocketException((int)SocketError.HostNotFound);
    }
}
