using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The app under test on a fake clock (the scheduler's "now"), with the schedules' tables of its own, and the calls a
/// schedule's user makes: create one, run the scheduler's timer function, list a schedule's runs.
/// </summary>
public static class ScheduleTestApp
{
    /// <summary>The in-process host whose clock is <paramref name="time"/>; <paramref name="extra"/> settings on top of the test's own.</summary>
    public static async Task<(InProcessFunctionsHost Host, Dictionary<string, string?> Settings)> StartAsync(
        FakeTimeProvider time, IDictionary<string, string?>? extra = null)
    {
        var settings = await TestApp.SettingsAsync();
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        return (host, settings);
    }

    /// <summary>A schedule body: the demo account's audience1 and audience2 to managed download storage.</summary>
    public static string Body(
        string cron = "0 6 * * *", string timeZone = "America/Los_Angeles", int lastDays = 30, int endDaysAgo = 1,
        string? overlap = null, string? catchUp = null, int? suspendAfterFailures = null, JsonObject? export = null)
    {
        var body = new JsonObject
        {
            ["name"] = "Warehouse feed",
            ["cron"] = cron,
            ["timeZone"] = timeZone,
            ["timeframe"] = new JsonObject { ["lastDays"] = lastDays, ["endDaysAgo"] = endDaysAgo },
            ["export"] = export ?? Export(),
        };
        if (overlap is not null)
        {
            body["overlap"] = overlap;
        }

        if (catchUp is not null)
        {
            body["catchUp"] = catchUp;
        }

        if (suspendAfterFailures is not null)
        {
            body["suspendAfterFailures"] = suspendAfterFailures;
        }

        return body.ToJsonString();
    }

    /// <summary>The UI example's export, less its days.</summary>
    public static JsonObject Export()
    {
        var export = JsonNode.Parse(HttpJson.Example("ui-download.json"))!.AsObject();
        export.Remove("selected_timeframe_start");
        export.Remove("selected_timeframe_end");
        return export;
    }

    public static async Task<JsonNode> CreateScheduleAsync(this InProcessFunctionsHost host, string body)
    {
        using var response = await host.Client.PostAsync("v2/schedules", HttpJson.Body(body));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer);
        return JsonNode.Parse(answer)!;
    }

    /// <summary>One run of the scheduler's timer function, as the host runs it each minute.</summary>
    public static Task PassAsync(this InProcessFunctionsHost host) =>
        host.InvokeAsync(nameof(SchedulerFunction.RunScheduler), new Dictionary<string, object?>());

    /// <summary>The schedule's runs, as <c>GET /v2/jobs?scheduleId=</c> lists them (newest first).</summary>
    public static async Task<JsonArray> RunsAsync(this InProcessFunctionsHost host, string scheduleId, HttpClient? client = null)
    {
        using var response = await (client ?? host.Client).GetAsync($"v2/jobs?scheduleId={scheduleId}&limit=100");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.JsonAsync()).AsArray();
    }

    public static async Task<JsonNode> GetScheduleAsync(this InProcessFunctionsHost host, string scheduleId) =>
        await (await host.Client.GetAsync($"v2/schedules/{scheduleId}")).JsonAsync();

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string path) =>
        await client.PostAsync(path, HttpJson.Body("{}"));

    public static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    public static string Id(this JsonNode node, string property = "id") => node[property]!.GetValue<string>();

    /// <summary>The slots (UTC) of the runs listed, oldest first.</summary>
    public static IReadOnlyList<DateTimeOffset> Slots(JsonArray runs) =>
        [.. runs.Select(r => r!["schedule"]!["slot"]!.GetValue<DateTimeOffset>().ToUniversalTime()).Order()];
}
