using System.Net;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Api;

/// <summary>
/// How the app gives each documented answer of the schedules routes, keyed "METHOD path status" as in
/// <see cref="OpenApiContractTests"/>. Each scenario creates the schedules it needs (the demo account's, real clock);
/// the runs and backfills export to managed download storage, so their jobs need no server.
/// </summary>
internal static class ScheduleScenarios
{
    private const string SchedulesPath = "/v2/schedules";
    private const string SchedulePath = "/v2/schedules/{id}";
    private const string PausePath = "/v2/schedules/{id}/pause";
    private const string ResumePath = "/v2/schedules/{id}/resume";
    private const string RunPath = "/v2/schedules/{id}/run";
    private const string BackfillPath = "/v2/schedules/{id}/backfill";

    /// <summary>A well-formed id no schedule has.</summary>
    private const string UnknownId = "sch_00000000000000000000000000000000";

    private static readonly string Backfill = HttpJson.Example("schedules/backfill.json");

    public static readonly Dictionary<string, Func<InProcessFunctionsHost, Task<HttpResponseMessage>>> All = new()
    {
        // The documented example itself (SFTP with the saved key the test app's settings hold).
        [$"POST {SchedulesPath} 201"] = app => app.Client.PostAsync("v2/schedules", HttpJson.Body(HttpJson.Example("schedules/daily-sftp.json"))),
        [$"POST {SchedulesPath} 400"] = app => app.Client.PostAsync("v2/schedules", HttpJson.Body(ScheduleTestApp.Body(cron: "0 0 6 * * *"))),
        // An app of its own that allows one schedule per account: the second create of the account is refused.
        [$"POST {SchedulesPath} 409"] = async _ =>
        {
            var settings = await TestApp.SettingsAsync();
            settings["Schedules:MaxPerAccount"] = "1";
            var (host, _) = await TestApp.StartInProcessAsync(settings);
            await using (host)
            {
                using var first = await CreateAsync(host);
                return await host.Client.PostAsync("v2/schedules", HttpJson.Body(ScheduleTestApp.Body()));
            }
        },
        [$"POST {SchedulesPath} 413"] = app => app.Client.PostAsync("v2/schedules", HttpJson.Body(TooLarge(app, ScheduleTestApp.Body()))),
        [$"POST {SchedulesPath} 415"] = app => app.Client.PostAsync("v2/schedules", HttpJson.Body(ScheduleTestApp.Body(), "text/plain")),
        [$"POST {SchedulesPath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"],
            c => c.PostAsync("v2/schedules", HttpJson.Body(ScheduleTestApp.Body()))),

        [$"GET {SchedulesPath} 200"] = async app =>
        {
            using var created = await CreateAsync(app);
            return await app.Client.GetAsync("v2/schedules");
        },
        [$"GET {SchedulesPath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.GetAsync("v2/schedules")),

        [$"GET {SchedulePath} 200"] = async app => await app.Client.GetAsync($"v2/schedules/{await IdAsync(app)}"),
        // Another account's schedule answers as an unknown one.
        [$"GET {SchedulePath} 404"] = async app => await app.OtherClient.GetAsync($"v2/schedules/{await IdAsync(app)}"),
        [$"GET {SchedulePath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.GetAsync($"v2/schedules/{UnknownId}")),

        [$"DELETE {SchedulePath} 204"] = async app => await app.Client.DeleteAsync($"v2/schedules/{await IdAsync(app)}"),
        [$"DELETE {SchedulePath} 404"] = app => app.Client.DeleteAsync($"v2/schedules/{UnknownId}"),
        [$"DELETE {SchedulePath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.DeleteAsync($"v2/schedules/{UnknownId}")),

        [$"POST {PausePath} 200"] = async app => await app.Client.PostAsync($"v2/schedules/{await IdAsync(app)}/pause", null),
        [$"POST {PausePath} 404"] = app => app.Client.PostAsync($"v2/schedules/{UnknownId}/pause", null),
        [$"POST {PausePath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.PostAsync($"v2/schedules/{UnknownId}/pause", null)),

        [$"POST {ResumePath} 200"] = async app =>
        {
            var id = await IdAsync(app);
            using var paused = await app.Client.PostAsync($"v2/schedules/{id}/pause", null);
            Assert.That(paused.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return await app.Client.PostAsync($"v2/schedules/{id}/resume", null);
        },
        [$"POST {ResumePath} 404"] = app => app.Client.PostAsync($"v2/schedules/{UnknownId}/resume", null),
        [$"POST {ResumePath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.PostAsync($"v2/schedules/{UnknownId}/resume", null)),

        [$"POST {RunPath} 202"] = async app => await app.Client.PostAsync($"v2/schedules/{await IdAsync(app)}/run", null),
        [$"POST {RunPath} 404"] = async app => await app.OtherClient.PostAsync($"v2/schedules/{await IdAsync(app)}/run", null),
        [$"POST {RunPath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"], c => c.PostAsync($"v2/schedules/{UnknownId}/run", null)),

        // Every 06:00 in Los Angeles of the last three days: three jobs, each with its slot.
        [$"POST {BackfillPath} 202"] = async app =>
        {
            var id = await IdAsync(app);
            var now = DateTimeOffset.UtcNow;
            return await app.Client.PostAsync($"v2/schedules/{id}/backfill",
                HttpJson.Body($$"""{"from": "{{now.AddDays(-3):O}}", "to": "{{now:O}}"}"""));
        },
        [$"POST {BackfillPath} 400"] = async app =>
            await app.Client.PostAsync($"v2/schedules/{await IdAsync(app)}/backfill", HttpJson.Body("""{"from": "yesterday"}""")),
        [$"POST {BackfillPath} 404"] = app => app.Client.PostAsync($"v2/schedules/{UnknownId}/backfill", HttpJson.Body(Backfill)),
        [$"POST {BackfillPath} 413"] = app => app.Client.PostAsync($"v2/schedules/{UnknownId}/backfill", HttpJson.Body(TooLarge(app, Backfill))),
        [$"POST {BackfillPath} 415"] = app => app.Client.PostAsync($"v2/schedules/{UnknownId}/backfill", HttpJson.Body(Backfill, "text/plain")),
        [$"POST {BackfillPath} 500"] = _ => OpenApiContractTests.WithUnreachableAsync(["Table"],
            c => c.PostAsync($"v2/schedules/{UnknownId}/backfill", HttpJson.Body(Backfill))),
    };

    /// <summary>A new daily schedule of the demo account, exporting to managed download storage.</summary>
    private static async Task<HttpResponseMessage> CreateAsync(InProcessFunctionsHost app)
    {
        var created = await app.Client.PostAsync("v2/schedules", HttpJson.Body(ScheduleTestApp.Body()));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        return created;
    }

    private static async Task<string> IdAsync(InProcessFunctionsHost app)
    {
        using var created = await CreateAsync(app);
        return (await created.JsonAsync())["id"]!.GetValue<string>();
    }

    /// <summary><paramref name="json"/> padded with spaces to one byte over the app's body limit.</summary>
    private static string TooLarge(InProcessFunctionsHost app, string json) =>
        json + new string(' ', app.Services.GetRequiredService<IOptions<IntakeOptions>>().Value.MaxBodyBytes + 1 - json.Length);
}
