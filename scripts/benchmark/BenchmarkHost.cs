using System.Globalization;
using System.Security.Cryptography;
using AudienceTrends.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AudienceTrends.Benchmark;

/// <summary>The app's own DI, as the tests' stand-in host builds it, on one SQLite file and the parent's Azurite; <c>services</c> replaces some (a clock).</summary>
public static class BenchmarkHost
{
    public const string StorageVariable = "AUDIENCETRENDS_BENCHMARK_STORAGE";

    public static async Task<IHost> StartAsync(string databasePath, int maxAudiences, int maxDays, Action<IServiceCollection>? services = null)
    {
        var storage = Environment.GetEnvironmentVariable(StorageVariable)
            ?? throw new InvalidOperationException($"{StorageVariable} is not set; the parent benchmark sets it.");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["SecretProtection:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={databasePath}",
            ["Intake:MaxAudiences"] = Invariant(Math.Max(maxAudiences, 1000)),
            ["Intake:MaxTimeframeDays"] = Invariant(Math.Max(maxDays, 366)),
            ["Intake:MaxBodyBytes"] = Invariant(64 * 1024 * 1024),
            // The intake benchmark's accounts each create about 50 jobs that no worker runs (see IntakeRun).
            ["Jobs:MaxActivePerAccount"] = Invariant(IntakeRun.MaxActivePerAccount),
        });
        // A setting to try without editing code, e.g. BENCH_FileFormats__ParquetCompression=snappy.
        builder.Configuration.AddEnvironmentVariables("BENCH_");
        builder.Services.AddLogging();
        builder.Services.AddAudienceTrends(builder.Configuration);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(); // validates every options class, as the worker does at start-up
        return host;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
