using AudienceTrends.Core.Common.Telemetry;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AudienceTrends.Functions.Telemetry;

public static class TelemetryRegistration
{
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry for the worker (host.json's <c>telemetryMode</c> is <c>OpenTelemetry</c>): the app's spans and
    /// metrics (<see cref="AppTelemetry"/>), the worker's invocations and outgoing HTTP calls, every recorded URL
    /// without its query string (<see cref="UrlQueryRedactor"/>). Exported to Azure Monitor when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (signed in with the managed identity when
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says <c>Authorization=AAD</c>), over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other <c>OTEL_*</c> settings), and nowhere
    /// otherwise. Logs go to the same exporters, with their scopes (the job id).
    /// </summary>
    public static IServiceCollection AddAudienceTrendsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var azureMonitor = configuration[AzureMonitorSetting] is { Length: > 0 } connectionString ? connectionString : null;
        var credential = azureMonitor is null ? null : EntraCredential(configuration[AzureMonitorAuthenticationSetting]);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);

        services.AddAppTelemetry();
        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults()
            .WithTracing(tracing =>
            {
                tracing.AddSource(AppTelemetry.Name, "System.Net.Http").AddProcessor(new UrlQueryRedactor());
                if (azureMonitor is not null)
                {
                    tracing.AddAzureMonitorTraceExporter(o => Configure(o, azureMonitor, credential));
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AppTelemetry.Name);
                if (azureMonitor is not null)
                {
                    metrics.AddAzureMonitorMetricExporter(o => Configure(o, azureMonitor, credential));
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (azureMonitor is not null || otlp)
        {
            telemetry.WithLogging(logging =>
            {
                if (azureMonitor is not null)
                {
                    logging.AddAzureMonitorLogExporter(o => Configure(o, azureMonitor, credential));
                }

                if (otlp)
                {
                    logging.AddOtlpExporter();
                }
            }, options =>
            {
                options.IncludeScopes = true;
                options.IncludeFormattedMessage = true;
            });
            // The job's life is logged at Information.
            services.AddLogging(logging => logging.AddFilter<OpenTelemetryLoggerProvider>(null, LogLevel.Information));
        }

        return services;
    }

    private static void Configure(AzureMonitorExporterOptions options, string connectionString, TokenCredential? credential)
    {
        options.ConnectionString = connectionString;
        options.Credential = credential;
    }

    /// <summary>The managed identity an <c>Authorization=AAD[;ClientId=...]</c> string names; null for any other (or none).</summary>
    internal static TokenCredential? EntraCredential(string? authentication)
    {
        var parts = (authentication ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
