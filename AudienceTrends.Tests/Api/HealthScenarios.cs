using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Api;

/// <summary>
/// How the app gives each documented answer of the health routes, keyed "METHOD path status" as in
/// <see cref="OpenApiContractTests"/>: the shared app is healthy; a 503 comes from an app of its own whose database
/// cannot be opened.
/// </summary>
internal static class HealthScenarios
{
    private const string HealthPath = "/v2/health";
    private const string DetailsPath = "/v2/health/details";

    public static readonly Dictionary<string, Func<InProcessFunctionsHost, Task<HttpResponseMessage>>> All = new()
    {
        [$"GET {HealthPath} 200"] = app => app.AnonymousClient.GetAsync("v2/health"),
        [$"GET {HealthPath} 503"] = _ => WithoutDatabaseAsync("v2/health"),
        [$"GET {DetailsPath} 200"] = async app =>
        {
            // A job waiting, so the oldest queued job's age and a queue's oldest message have values.
            using var created = await app.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
            return await app.AnonymousClient.GetAsync("v2/health/details");
        },
        [$"GET {DetailsPath} 503"] = _ => WithoutDatabaseAsync("v2/health/details"),
    };

    private static async Task<HttpResponseMessage> WithoutDatabaseAsync(string path)
    {
        var settings = await TestApp.SettingsAsync(seedDemoData: false);
        settings["Database:ConnectionString"] = $"Data Source={Path.Combine(TempFolders.Create("audiencetrends-nodb-"), "missing", "x.db")};Mode=ReadOnly";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var response = await host.AnonymousClient.GetAsync(path);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
