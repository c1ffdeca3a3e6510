using System.Collections.Concurrent;
using System.Text;
using AudienceTrends.Core;
using AudienceTrends.Core.Webhooks;
using AudienceTrends.Functions.Telemetry;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Webhooks;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// What Application Insights and the logs record of the app's outgoing HTTP calls, through the worker's own
/// registrations (<c>AddAudienceTrendsTelemetry</c>, <c>AddAudienceTrends</c>) with the items captured by an in-memory
/// channel instead of being sent: never a URL's query string, where credentials travel.
/// </summary>
public sealed class TelemetryRedactionTests
{
    private static readonly string[] Secrets =
        ["receiver-own-token", "gcs-session-secret", "blob-sas-signature", "s3-presigned-signature"];

    [Test]
    public async Task Outgoing_calls_are_tracked_without_their_query_strings_in_telemetry_or_logs()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var channel = new CapturingChannel();
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(await WebhookTestApp.SettingsAsync());
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.Services.AddSingleton<ITelemetryChannel>(channel);
        builder.Services.AddAudienceTrendsTelemetry();
        builder.Services.Configure<ApplicationInsightsServiceOptions>(o =>
            o.ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/");
        builder.Services.AddAudienceTrends(builder.Configuration);
        using var app = builder.Build();
        await app.StartAsync();
        var telemetry = app.Services.GetRequiredService<TelemetryClient>(); // initializes dependency tracking

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

        var dependencies = await WaitForDependenciesAsync(channel, telemetry, 4);
        await app.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dependencies.Select(d => d.Data), Has.Some.EqualTo(origin + "/hooks/audiencetrends"), "the webhook call is tracked, by its path");
            Assert.That(dependencies.Select(d => d.Data), Has.Some.EqualTo(origin + "/upload/storage/v1/b/bucket/o"));
            var recorded = Serialized(channel.Items);
            foreach (var secret in Secrets)
            {
                Assert.That(recorded, Does.Not.Contain(secret), "telemetry");
                Assert.That(logs.AllText, Does.Not.Contain(secret), "logs");
            }
        });
    }

    [TestCase("https://hooks.example.com/in?token=t", "https://hooks.example.com/in")]
    [TestCase("http://127.0.0.1:10000/devstoreaccount1/c/b?sv=1&sig=s", "http://127.0.0.1:10000/devstoreaccount1/c/b")]
    [TestCase("SELECT * FROM t WHERE a = ?", "SELECT * FROM t WHERE a = ?")]
    public void Only_http_urls_lose_their_query(string data, string expected) =>
        Assert.That(UrlQueryRedactor.WithoutQuery(data), Is.EqualTo(expected));

    private static async Task<List<DependencyTelemetry>> WaitForDependenciesAsync(CapturingChannel channel, TelemetryClient telemetry, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            telemetry.Flush();
            var dependencies = channel.Items.OfType<DependencyTelemetry>().Where(d => d.Type == "Http").ToList();
            if (dependencies.Count >= count || DateTime.UtcNow > deadline)
            {
                return dependencies;
            }

            await Task.Delay(100);
        }
    }

    private static string Serialized(IEnumerable<ITelemetry> items) =>
        Encoding.UTF8.GetString(Microsoft.ApplicationInsights.Extensibility.Implementation.JsonSerializer.Serialize(items.ToList(), compress: false));

    private sealed class CapturingChannel : ITelemetryChannel
    {
        private readonly ConcurrentQueue<ITelemetry> _items = new();

        public IReadOnlyList<ITelemetry> Items => [.. _items];

        public bool? DeveloperMode { get; set; }

        public string EndpointAddress { get; set; } = "";

        public void Send(ITelemetry item) => _items.Enqueue(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
