using AudienceTrends.Core;
using AudienceTrends.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpExceptionMiddleware>(HttpExceptionMiddleware.IsHttpTrigger);
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Services.AddAudienceTrends(builder.Configuration);
builder.Build().Run();
