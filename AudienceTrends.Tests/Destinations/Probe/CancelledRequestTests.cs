using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>A caller who gives up ends the destination test at once, whatever the destination's timeouts.</summary>
public class CancelledRequestTests
{
    [Test]
    public async Task A_cancelled_request_stops_the_test_at_the_step_it_was_in()
    {
        await using var silent = new SilentListener();
        var settings = await TestApp.SettingsAsync();
        settings["Sftp:ConnectTimeout"] = "00:10:00";
        settings["Sftp:OperationTimeout"] = "00:10:00";
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var body = new JsonObject
        {
            ["destination"] = new JsonObject
            {
                ["type"] = "sftp", ["server"] = "127.0.0.1", ["port"] = silent.Port, ["username"] = "user", ["password"] = "password",
            },
        };

        using var caller = new CancellationTokenSource();
        var call = host.Client.PostAsync("v2/destinations/test", HttpJson.Body(body.ToJsonString()), caller.Token);
        await silent.AcceptedAsync();
        await caller.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        await WaitForAsync(() => logs.AllText.Contains("failed at step connect", StringComparison.Ordinal));
        Assert.That(logs.AllText, Does.Contain("failed at step connect"), "the test ended at the connect step, ten minutes early");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; the bound only keeps a broken build from hanging.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(100);
        }
    }
}
