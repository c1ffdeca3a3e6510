using AudienceTrends.Core;
using AudienceTrends.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpExceptionMiddleware>(HttpExceptionMiddleware.IsHttpTrigger);
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
// The Application Insights provider keeps only warnings by default; the job's life is logged at Information.
builder.Logging.AddFilter<Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider>(null, LogLevel.Information);
builder.Services.AddAudienceTrends(builder.Configuration);
builder.Build().Run();
