using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Api;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The bodies in <c>examples/schedules/</c>: they are the examples openapi.yaml shows, the schedule is accepted as it
/// is, the document's required fields are really required (each missing one is refused under its own path) and its
/// optional ones really optional, and the backfill body queues one job per slot of its range, once.
/// </summary>
public sealed class ScheduleExamplesTests
{
    private const string SchedulesPath = "/v2/schedules";
    private const string BackfillPath = "/v2/schedules/{id}/backfill";

    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    private static JsonObject ExampleBody(string name) => JsonNode.Parse(HttpJson.Example($"schedules/{name}.json"))!.AsObject();

    private static JsonObject Examples(string path) =>
        Document.Operation("POST", path).Node["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();

    private static JsonNode RequestSchema(string path) =>
        Document.Operation("POST", path).Node["requestBody"]!["content"]!["application/json"]!["schema"]!;

    [Test]
    public void The_documented_examples_are_the_files()
    {
        var files = Directory.GetFiles(RepositoryPaths.Combine("examples", "schedules"), "*.json").Select(Path.GetFileNameWithoutExtension);
        var documented = Examples(SchedulesPath).Concat(Examples(BackfillPath)).ToList();

        Assert.That(documented.Select(e => e.Key), Is.EquivalentTo(files), "one named example per file, named after it");
        Assert.Multiple(() =>
        {
            foreach (var (name, example) in documented)
            {
                Assert.That(JsonNode.DeepEquals(example!["value"], ExampleBody(name)), Is.True, $"example {name} differs from examples/schedules/{name}.json");
            }
        });
    }

    [Test]
    public async Task The_example_schedule_is_accepted_and_each_required_field_is_refused_when_missing_under_its_own_path()
    {
        var body = ExampleBody("daily-sftp");
        var required = Document.RequiredFields(body, RequestSchema(SchedulesPath));
        Assert.That(required.Select(r => r.Path), Is.SupersetOf(new[]
        {
            "name", "cron", "timeZone", "timeframe.lastDays", "timeframe.endDaysAgo", "export.name", "export.audiences", "export.destination.savedKey",
        }), "the schema's required lists were followed");

        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        using (var whole = await host.Client.PostAsync("v2/schedules", HttpJson.Body(body.ToJsonString())))
        {
            Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.Created), await whole.Content.ReadAsStringAsync());
        }

        foreach (var field in required)
        {
            using var response = await host.Client.PostAsync("v2/schedules", HttpJson.Body(Without(body, field.Path).ToJsonString()));
            var answer = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"without {field.Path}: {answer}");
            var errorKeys = JsonNode.Parse(answer)!["errors"]!.AsObject().Select(e => e.Key).ToList();
            Assert.That(errorKeys, Has.Some.AnyOf(field.ErrorKeys.ToArray()), $"without {field.Path}: {answer}");
        }
    }

    [Test]
    public async Task Each_field_of_the_example_schedule_the_document_leaves_optional_can_be_left_out()
    {
        var body = ExampleBody("daily-sftp");
        var required = Document.RequiredFields(body, RequestSchema(SchedulesPath)).Select(r => r.Path).ToHashSet();
        var optional = Paths(body, "").Where(p => !required.Contains(p) && !required.Any(r => r.StartsWith(p + ".", StringComparison.Ordinal))).ToList();
        Assert.That(optional, Is.SupersetOf(new[] { "overlap", "catchUp", "suspendAfterFailures", "export.exportType" }));

        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        foreach (var path in optional)
        {
            using var response = await host.Client.PostAsync("v2/schedules", HttpJson.Body(Without(body, path).ToJsonString()));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"without {path}: {await response.Content.ReadAsStringAsync()}");
        }

        static IEnumerable<string> Paths(JsonObject node, string prefix) =>
            node.SelectMany(p => p.Value is JsonObject child ? [prefix + p.Key, .. Paths(child, $"{prefix}{p.Key}.")] : new[] { prefix + p.Key });
    }

    [Test]
    public async Task The_example_backfill_queues_one_job_for_each_slot_of_its_range_and_nothing_the_second_time()
    {
        // December 2026: November is past and inside the jobs' retention.
        var time = new FakeTimeProvider(Utc(2026, 12, 3, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();

        using var first = await host.Client.PostAsync($"v2/schedules/{id}/backfill", HttpJson.Body(HttpJson.Example("schedules/backfill.json")));
        var queued = (await first.JsonAsync())["queued"]!.AsArray();
        using var second = await host.Client.PostAsync($"v2/schedules/{id}/backfill", HttpJson.Body(HttpJson.Example("schedules/backfill.json")));

        // 06:00 in Los Angeles is 14:00 UTC all of November 2026: daylight saving ended at 02:00 on the 1st.
        var november = Enumerable.Range(1, 30).Select(day => Utc(2026, 11, day, 14, 0)).ToList();
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(queued.Select(q => q!["slot"]!.GetValue<DateTimeOffset>()), Is.EqualTo(november));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That((await second.JsonAsync())["queued"]!.AsArray(), Is.Empty, "every slot has its job already");
            Assert.That(Slots(await host.RunsAsync(id)), Is.EqualTo(november), "the schedule's runs are those jobs");
        });
    }

    /// <summary>A copy of <paramref name="body"/> without the field at the dotted <paramref name="path"/>.</summary>
    private static JsonObject Without(JsonObject body, string path)
    {
        var copy = body.DeepClone().AsObject();
        var segments = path.Split('.');
        var parent = segments[..^1].Aggregate((JsonNode)copy, (node, segment) => node[segment]!).AsObject();
        Assert.That(parent.Remove(segments[^1]), Is.True, path);
        return copy;
    }
}
