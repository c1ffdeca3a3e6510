using AudienceTrends.Core;
using AudienceTrends.Functions.Http;
using AudienceTrends.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpExceptionMiddleware>(HttpExceptionMiddleware.IsHttpTrigger);
// OpenTelemetry (host.json telemetryMode): exported only where APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT says.
builder.Services.AddAudienceTrendsTelemetry(builder.Configuration);
builder.Services.AddAudienceTrends(builder.Configuration);
builder.Build().Run();
