using System.Reflection;
using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The real Azure Functions host (Core Tools' <c>func</c>) running the built app on a free port, configured through
/// environment variables. Used whenever <c>func</c> is on PATH; queue triggers then run inside the host itself.
/// </summary>
public sealed partial class FuncCliHost : IFunctionsTestHost
{
    private readonly ServerProcess _process;

    private readonly HttpClientHandler _handler = new();

    private FuncCliHost(ServerProcess process, int port, TestKeys keys)
    {
        _process = process;
        Keys = keys;
        var address = new Uri($"http://127.0.0.1:{port}/");
        Client = TestAccounts.Client(_handler, address, keys.Demo);
        OtherClient = TestAccounts.Client(_handler, address, keys.Other);
        AnonymousClient = TestAccounts.Client(_handler, address, null);
    }

    public static bool IsAvailable => FindOnPath("func") is not null;

    public HttpClient Client { get; }

    public HttpClient OtherClient { get; }

    public HttpClient AnonymousClient { get; }

    public TestKeys Keys { get; }

    public static async Task<FuncCliHost> StartAsync(IDictionary<string, string?> settings)
    {
        var configuration = typeof(FuncCliHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var appDirectory = RepositoryPaths.Combine("AudienceTrends.Functions", "bin", configuration, "net10.0");
        var port = ServerProcess.FreeTcpPort();
        var environment = settings.Where(s => s.Value is not null)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        // Retry failed messages quickly so retry tests do not wait the production visibility timeout.
        environment["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01";
        environment["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500";
        var keys = await TestAccounts.ProvisionAsync(settings);
        var (process, _) = await ServerProcess.StartAsync(FindOnPath("func")!, ["host", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            HostStarted(), appDirectory, environment, TimeSpan.FromMinutes(2));
        return new FuncCliHost(process, port, keys);
    }

    /// <summary>The host runs queued work by itself; callers poll the jobs API.</summary>
    public Task DrainQueuesAsync(CancellationToken cancellationToken = default) => Task.Delay(250, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        OtherClient.Dispose();
        AnonymousClient.Dispose();
        _handler.Dispose();
        await _process.DisposeAsync();
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex("Host lock lease acquired|Job host started|Worker process started and initialized")]
    private static partial Regex HostStarted();
}
