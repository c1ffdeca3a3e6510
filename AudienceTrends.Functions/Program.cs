using AudienceTrends.Core;
using AudienceTrends.Functions.Http;
using AudienceTrends.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpExceptionMiddleware>(HttpExceptionMiddleware.IsHttpTrigger);
builder.Services.AddAudienceTrendsTelemetry();
// The Application Insights provider keeps only warnings by default; the job's life is logged at Information.
builder.Logging.AddFilter<Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider>(null, LogLevel.Information);
builder.Services.AddAudienceTrends(builder.Configuration);
builder.Build().Run();
