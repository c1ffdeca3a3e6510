using System.Text.Json.Nodes;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Api;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.Schedules;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>openapi.yaml describes the <c>schedule.suspended</c> event as the sender really sends it, where it really goes.</summary>
public sealed class ScheduleWebhookDocumentationTests
{
    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    [Test]
    public void The_suspended_event_is_a_callback_of_the_schedules_export_webhook_with_its_one_type()
    {
        var callback = Document.Operation("POST", "/v2/schedules").Node["callbacks"]!["scheduleSuspended"]!.AsObject().Single();
        var type = Document.Root["components"]!["schemas"]!["ScheduleWebhookEvent"]!["properties"]!["type"]!["enum"]!.AsArray();

        Assert.That(callback.Key, Is.EqualTo("{$request.body#/export/webhook/url}"));
        Assert.That(type.Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { ScheduleEventMessage.SuspendedType }));
    }

    [Test]
    public async Task A_sent_suspended_event_matches_its_schema_and_is_signed_with_the_schedules_webhook_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (host, _) = await TestApp.StartInProcessAsync(await WebhookTestApp.SettingsAsync());
        await using var _ = host;
        var secret = WebhookTestApp.NewSecret();
        var export = ScheduleTestApp.Export();
        export["webhook"] = new JsonObject { ["url"] = receiver.Url, ["secret"] = secret };
        var id = ScheduleTestApp.Id(await host.CreateScheduleAsync(ScheduleTestApp.Body(export: export, suspendAfterFailures: 1)));

        // One failed run suspends it (suspendAfterFailures 1), as the job's final update would record it.
        var store = host.Services.GetRequiredService<ScheduleStore>();
        var schedule = await store.GetAsync(TestAccounts.DemoId, id, CancellationToken.None);
        var suspended = await store.ApplyAsync(schedule!, s => s.RecordOutcome(DateTimeOffset.UtcNow.AddHours(-1), JobStatus.Failed), CancellationToken.None);
        Assert.That(suspended!.State, Is.EqualTo(ScheduleState.Suspended));
        await host.Services.GetRequiredService<ScheduleEvents>().SendAsync(
            new ScheduleEventMessage(TestAccounts.DemoId.Value, id, suspended.SuspendedEventId!), CancellationToken.None);

        var received = receiver.Received.Single();
        var body = JsonNode.Parse(received.Body)!;
        var problems = new List<string>();
        Document.Check(body, Document.Root["components"]!["schemas"]!["ScheduleWebhookEvent"]!, "event", problems);
        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, received.Body);
            Assert.DoesNotThrow(() => received.Verify(secret), "signed as the callback says, with the export's webhook secret");
            Assert.That(received.Id, Is.EqualTo(suspended.SuspendedEventId));
            Assert.That(body["type"]!.GetValue<string>(), Is.EqualTo("schedule.suspended"));
            Assert.That(body["data"]!["id"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(body["data"]!["state"]!.GetValue<string>(), Is.EqualTo("Suspended"));
            Assert.That(body["data"]!["export"]!["webhook"]!["url"]!.GetValue<string>(), Is.EqualTo(receiver.Url.Split('?')[0]), "without its query");
            Assert.That(received.Body, Does.Not.Contain(secret["whsec_".Length..]).And.Not.Contain(new Uri(receiver.Url).Query.TrimStart('?')));
        });
    }
}
