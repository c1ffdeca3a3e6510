using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary><c>POST /v2/destinations/test</c> through the in-process host (real DI, real Azurite), with the app's logs.</summary>
public static class DestinationTestCall
{
    public static async Task<ProbeAnswer> PostAsync(
        JsonObject destination, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var (host, logs) = await TestApp.StartInProcessAsync(settings ?? await TestApp.SettingsAsync(), configureServices);
        await using var _ = host;
        using var response = await host.Client.PostAsync(
            "v2/destinations/test", HttpJson.Body(new JsonObject { ["destination"] = destination.DeepClone() }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        TestContext.Out.WriteLine(text);
        return new ProbeAnswer(JsonNode.Parse(text)!, text, logs.AllText);
    }
}

/// <summary>The answer's JSON and text, and everything the app logged while answering.</summary>
public sealed record ProbeAnswer(JsonNode Json, string Text, string Logs)
{
    public bool Ok => Json["ok"]!.GetValue<bool>();

    public IReadOnlyList<string> StepNames => [.. Json["steps"]!.AsArray().Select(s => s!["name"]!.GetValue<string>())];

    public JsonNode LastStep => Json["steps"]!.AsArray()[^1]!;

    public string LastDetail => LastStep["detail"]!.GetValue<string>();

    public string Detail(string step) =>
        Json["steps"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == step)!["detail"]!.GetValue<string>();

    /// <summary>Asserts the steps run, in order, and that exactly the last one failed (or none, when <paramref name="ok"/>).</summary>
    public void AssertSteps(bool ok, params string[] names)
    {
        Assert.That(StepNames, Is.EqualTo(names), Text);
        Assert.That(Ok, Is.EqualTo(ok), Text);
        var outcomes = Json["steps"]!.AsArray().Select(s => s!["ok"]!.GetValue<bool>()).ToList();
        Assert.That(outcomes.SkipLast(1), Is.All.True, Text);
        Assert.That(outcomes[^1], Is.EqualTo(ok), Text);
    }

    /// <summary>Asserts <paramref name="secret"/> appears neither in the answer nor in any log line.</summary>
    public void AssertNeverShows(string secret)
    {
        Assert.That(Text, Does.Not.Contain(secret), "the answer shows the secret");
        Assert.That(Logs, Does.Not.Contain(secret), "a log line shows the secret");
    }
}
