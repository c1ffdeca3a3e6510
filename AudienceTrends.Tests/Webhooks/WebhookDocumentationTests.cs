using System.Text.Json.Nodes;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Api;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>openapi.yaml describes what the sender really sends and what the job view really shows.</summary>
public sealed class WebhookDocumentationTests
{
    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    private static JsonNode Schema(string name) => Document.Root["components"]!["schemas"]![name]!;

    [Test]
    public void The_documented_enumerations_are_the_codes()
    {
        static List<string> Strings(JsonNode node) => node.AsArray().Select(n => n!.GetValue<string>()).ToList();

        Assert.That(Strings(Schema("JobWebhook")["properties"]!["status"]!["enum"]!),
            Is.EqualTo(new[] { ExportJob.WebhookPending, ExportJob.WebhookDelivered, ExportJob.WebhookFailed }));
        Assert.That(Strings(Schema("WebhookEvent")["properties"]!["type"]!["enum"]!),
            Is.EqualTo(JobStatus.All.Where(JobStatus.IsFinal).Select(s => $"{ExportJob.ExportJobName}.{s.ToLowerInvariant()}")));
        var callback = Document.Operation("POST", "/v2/audiencetrendsexport").Node["callbacks"]!["jobFinished"]!.AsObject().Single();
        Assert.That(callback.Key, Is.EqualTo("{$request.body#/webhook/url}"));
    }

    [Test]
    public async Task A_sent_event_and_the_job_view_match_their_schemas()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        var job = await host.WaitForWebhookAsync(jobId, receiver);

        var problems = new List<string>();
        Document.Check(JsonNode.Parse(receiver.Received.Single().Body), Schema("WebhookEvent"), "event", problems);
        Document.Check(job, Schema("JobView"), "job", problems);

        Assert.That(problems, Is.Empty);
        Assert.That(job["webhook"], Is.Not.Null);
    }
}
