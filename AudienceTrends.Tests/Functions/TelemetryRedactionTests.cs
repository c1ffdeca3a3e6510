using System.Diagnostics;
using AudienceTrends.Core;
using AudienceTrends.Core.Webhooks;
using AudienceTrends.Functions.Telemetry;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// What the spans and the logs record of the app's outgoing HTTP calls, through the worker's own registrations
/// (<c>AddAudienceTrendsTelemetry</c>, <c>AddAudienceTrends</c>) with the spans captured by OpenTelemetry's in-memory
/// exporter instead of being sent: never a URL's query string, where credentials travel.
/// </summary>
public sealed class TelemetryRedactionTests
{
    private static readonly string[] Secrets =
        ["receiver-own-token", "gcs-session-secret", "blob-sas-signature", "s3-presigned-signature"];

    [Test]
    public async Task Outgoing_calls_are_traced_without_their_query_strings_in_spans_or_logs()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var spans = new List<Activity>();
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(await WebhookTestApp.SettingsAsync());
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.Services.AddAudienceTrends(builder.Configuration);
        builder.Services.AddAudienceTrendsTelemetry(builder.Configuration);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        using var app = builder.Build();
        await app.StartAsync();

        // A webhook attempt, through the sender's own client.
        var origin = receiver.Url[..receiver.Url.IndexOf("/hooks", StringComparison.Ordinal)];
        using var webhook = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookSender.ClientName);
        using (await webhook.PostAsync(receiver.Url, new StringContent("{}")))
        {
        }

        // The query forms the destinations' clients send (a GCS resumable session, an Azure Blob SAS, an S3 presigned
        // URL), through a client of the app's factory, whose loggers would write the URL.
        using var destinations = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        foreach (var path in new[]
                 {
                     "/upload/storage/v1/b/bucket/o?uploadType=resumable&upload_id=gcs-session-secret",
                     "/exports/file.csv?sv=2025-01-05&sp=cw&sig=blob-sas-signature",
                     "/bucket/file.csv?X-Amz-Credential=AKIA&X-Amz-Signature=s3-presigned-signature",
                 })
        {
            using var _ = await destinations.PutAsync(origin + path, new StringContent("x"));
        }

        await app.StopAsync();
        List<Activity> calls;
        lock (spans)
        {
            calls = spans.Where(s => s.GetTagItem("url.full") is string url && url.StartsWith(origin, StringComparison.Ordinal)).ToList();
        }

        Assert.Multiple(() =>
        {
            var urls = calls.Select(c => (string)c.GetTagItem("url.full")!).ToList();
            Assert.That(urls, Has.Count.EqualTo(4), "every call is traced");
            Assert.That(urls, Has.Some.EqualTo(origin + "/hooks/audiencetrends"), "the webhook call is traced, by its path");
            Assert.That(urls, Has.Some.EqualTo(origin + "/upload/storage/v1/b/bucket/o"));
            foreach (var call in calls)
            {
                Assert.That(SpanAttributes.Problems(call, Secrets), Is.Empty);
            }

            foreach (var secret in Secrets)
            {
                Assert.That(logs.AllText, Does.Not.Contain(secret), "logs");
            }
        });
    }

    [TestCase("https://hooks.example.com/in?token=t", "https://hooks.example.com/in")]
    [TestCase("http://127.0.0.1:10000/devstoreaccount1/c/b?sv=1&sig=s", "http://127.0.0.1:10000/devstoreaccount1/c/b")]
    [TestCase("SELECT * FROM t WHERE a = ?", "SELECT * FROM t WHERE a = ?")]
    public void Only_http_urls_lose_their_query(string data, string expected) =>
        Assert.That(UrlQueryRedactor.WithoutQuery(data), Is.EqualTo(expected));

    [Test]
    public void A_span_loses_its_url_query_and_every_url_attribute_its_query_when_it_ends()
    {
        using var source = new ActivitySource("redaction-test-" + Guid.NewGuid());
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var redactor = new UrlQueryRedactor();
        var span = source.StartActivity("GET https://h.example/p?sig=secret")!;
        span.SetTag("url.full", "https://h.example/p?sig=secret");
        span.SetTag("url.query", "sig=secret");
        span.SetTag("db.operation.name", "SELECT");
        span.Stop();

        redactor.OnEnd(span);

        Assert.That(SpanAttributes.Problems(span, ["secret"]), Is.Empty);
        Assert.That(span.GetTagItem("url.full"), Is.EqualTo("https://h.example/p"));
        Assert.That(span.GetTagItem("db.operation.name"), Is.EqualTo("SELECT"));
    }
}

/// <summary>What no span may hold: a secret, or a URL with a query string (in its name or any attribute).</summary>
public static class SpanAttributes
{
    public static List<string> Problems(Activity span, IEnumerable<string> secrets)
    {
        var problems = new List<string>();
        var values = span.TagObjects.Select(t => (t.Key, Value: Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""))
            .Append(("span name", span.DisplayName))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => ($"{e.Name}.{t.Key}", Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""))));
        foreach (var (key, value) in values)
        {
            if (key == "url.query")
            {
                problems.Add($"{span.DisplayName}: url.query is recorded ({value})");
            }

            if (System.Text.RegularExpressions.Regex.IsMatch(value, @"https?://[^\s?#]*[?#]"))
            {
                problems.Add($"{span.DisplayName}: {key} holds a URL with a query: {value}");
            }

            foreach (var secret in secrets.Where(s => value.Contains(s, StringComparison.Ordinal)))
            {
                problems.Add($"{span.DisplayName}: {key} holds the secret {secret}");
            }
        }

        return problems;
    }
}
