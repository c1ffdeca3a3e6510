using System.Collections.Concurrent;
using System.Net;
using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Functions.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// Where the worker's registration sends telemetry: over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (a
/// collector stand-in on 127.0.0.1 receives the spans), and with neither it nor
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> nowhere: no exporter is registered at all.
/// </summary>
public sealed class TelemetryExportTests
{
    [Test]
    public async Task With_an_otlp_endpoint_the_apps_spans_reach_the_collector()
    {
        using var collector = new CollectorStandIn();
        using var app = Build(new Dictionary<string, string?>
        {
            [TelemetryRegistration.OtlpEndpointSetting] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await app.StartAsync();

        using (AppTelemetry.StartCreate())
        {
        }

        Assert.That(app.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), Is.True);
        await app.StopAsync();
        Assert.That(collector.Paths, Does.Contain("/v1/traces"));
    }

    [Test]
    public void Without_either_setting_no_exporter_is_registered()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Exporters(new Dictionary<string, string?>()), Is.Empty);
            Assert.That(Exporters(new Dictionary<string, string?> { [TelemetryRegistration.OtlpEndpointSetting] = "http://127.0.0.1:4318" }),
                Is.Not.Empty, "an OTLP endpoint registers its exporter (so the line above can fail)");
            Assert.That(Exporters(new Dictionary<string, string?>
            {
                [TelemetryRegistration.AzureMonitorSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/",
            }), Is.Not.Empty, "a connection string registers Azure Monitor's");
        });
    }

    [TestCase("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", true)]
    [TestCase("Authorization=AAD", true)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Entra_sign_in_follows_the_authentication_string(string? authentication, bool signsIn) =>
        Assert.That(TelemetryRegistration.EntraCredential(authentication) is not null, Is.EqualTo(signsIn));

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAudienceTrendsTelemetry(builder.Configuration);
        return builder.Build();
    }

    /// <summary>The registered services whose type names an exporter (OTLP or Azure Monitor).</summary>
    private static List<string> Exporters(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddAudienceTrendsTelemetry(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<TracerProvider>();
        return services.Select(d => d.ServiceType.FullName + " " + d.ImplementationType?.FullName)
            .Where(name => name.Contains("Otlp", StringComparison.Ordinal) || name.Contains("AzureMonitor", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>Accepts OTLP/HTTP posts on 127.0.0.1 and records their paths.</summary>
    private sealed class CollectorStandIn : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<string> _paths = new();

        public CollectorStandIn()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string Url { get; }

        public IReadOnlyCollection<string> Paths => [.. _paths];

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return; // closed
                }

                _paths.Enqueue(context.Request.Url!.AbsolutePath);
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
