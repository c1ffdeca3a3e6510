using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// <c>POST /v2/destinations/test</c> is limited per account (the one whose API key the request carries: the hosts'
/// <c>Client</c> is <c>demo</c>, <c>OtherClient</c> is <c>globex</c>; the address a request claims does not matter), per
/// target host and in tests at once: beyond a limit the answer is 429 with <c>Retry-After</c>, and every test is logged
/// for operators without its credentials. The targets are closed loopback ports, so each test ends at once.
/// </summary>
public class ProbeLimitTests
{
    private const string Password = "limit-password-6a1f";

    [Test]
    public async Task An_account_over_its_limit_gets_429_with_retry_after_and_another_account_does_not()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await SettingsAsync(perAccount: 2, perHost: 100));
        await using var _ = host;
        var port = ServerProcess.FreeTcpPort();

        Assert.That((await PostAsync(host.Client, Ftp(port), "198.51.100.7")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await PostAsync(host.Client, Ftp(port), "198.51.100.8")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var refused = await PostAsync(host.Client, Ftp(port), "198.51.100.9");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), await refused.Content.ReadAsStringAsync());
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("this account"));
        Assert.That((await PostAsync(host.OtherClient, Ftp(port), "198.51.100.9")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_host_tested_too_often_gets_429_whoever_asks_and_another_host_does_not()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await SettingsAsync(perAccount: 100, perHost: 2));
        await using var _ = host;
        var port = ServerProcess.FreeTcpPort();

        Assert.That((await PostAsync(host.Client, Ftp(port), "198.51.100.1")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await PostAsync(host.OtherClient, Ftp(port), "198.51.100.2")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var refused = await PostAsync(host.OtherClient, Ftp(port), "198.51.100.3");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("this host"));
        Assert.That((await PostAsync(host.OtherClient, Ftp(port, "localhost"), "198.51.100.3")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_test_beyond_the_concurrency_cap_gets_429_until_the_running_one_ends()
    {
        await using var silent = new SilentListener();
        var settings = await SettingsAsync(perAccount: 100, perHost: 100);
        settings["DestinationTest:MaxConcurrent"] = "1";
        settings["Ftp:CommandTimeout"] = "00:00:05";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;

        var running = PostAsync(host.Client, Ftp(silent.Port), "198.51.100.1");
        await silent.AcceptedAsync().WaitAsync(TimeSpan.FromSeconds(60));
        using var refused = await PostAsync(host.OtherClient, Ftp(ServerProcess.FreeTcpPort()), "198.51.100.2");
        using var first = await running;

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await PostAsync(host.OtherClient, Ftp(ServerProcess.FreeTcpPort()), "198.51.100.2")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Every_test_is_logged_with_account_kind_host_port_and_outcome_but_no_credential()
    {
        var (host, logs) = await TestApp.StartInProcessAsync(await SettingsAsync(perAccount: 10, perHost: 10));
        await using var _ = host;
        var port = ServerProcess.FreeTcpPort();

        using var response = await PostAsync(host.OtherClient, Ftp(port), "198.51.100.9, 192.0.2.44:51234");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(logs.AllText, Does.Contain($"Destination test by account {TestAccounts.Other}: kind ftp, host 127.0.0.1, port {port}, failed at step connect"),
            "the test is the account's whose key the request carries, whatever address it claims");
        Assert.That(logs.AllText, Does.Not.Contain(Password));
    }

    private static async Task<Dictionary<string, string?>> SettingsAsync(int perAccount, int perHost)
    {
        var settings = await TestApp.SettingsAsync();
        settings["DestinationTest:PerAccount"] = perAccount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["DestinationTest:PerHost"] = perHost.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>A test as <paramref name="client"/>'s account, claiming an address that must not matter.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject destination, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/destinations/test")
        {
            Content = HttpJson.Body(new JsonObject { ["destination"] = destination }.ToJsonString()),
        };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    private static JsonObject Ftp(int port, string server = "127.0.0.1") => new()
    {
        ["type"] = "ftp",
        ["server"] = server,
        ["port"] = port,
        ["username"] = "probe-user",
        ["password"] = Password,
        ["path"] = "/",
    };
}
