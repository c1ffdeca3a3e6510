using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// One real Azurite (Blob, Queue, Table) for the whole test run, from the project's npm packages, on random ports,
/// in memory. Started on first use; stopped by the test run's teardown (TestRunTeardown). Tests isolate themselves by job id
/// or by their own table/container names, never by order.
/// </summary>
public sealed partial class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(() => StartAsync(shared: true));

    private readonly ServerProcess _process;
    private readonly string _location;

    private Azurite(ServerProcess process, string location, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _location = location;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey + ";" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static Task<Azurite> InstanceAsync() => Shared.Value;

    /// <summary>
    /// An Azurite of the caller's own, for a test that changes what every test shares in a storage account (the
    /// idempotency table): an external process, so that test is in the <c>Processes</c> category.
    /// </summary>
    public static Task<Azurite> StartOwnAsync() => StartAsync(shared: false);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_location, recursive: true);
    }

    internal static async Task StopIfStartedAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await Shared.Value.Result.DisposeAsync();
        }
    }

    private static async Task<Azurite> StartAsync(bool shared)
    {
        var script = Path.Combine(RepositoryPaths.NodeModules, "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}: run scripts/install-test-prereqs.sh (npm ci).");
        }

        var location = Directory.CreateTempSubdirectory("azurite-").FullName;
        var (process, _) = await ServerProcess.StartAsync("node",
        [
            script, "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
        ], ListeningLine(), workingDirectory: location, allowedInFastLane: shared);

        // Each service prints its own line; wait until all three have.
        for (var i = 0; i < 200; i++)
        {
            var ports = ListeningLine().Matches(process.Output)
                .ToDictionary(m => m.Groups["service"].Value, m => int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
            if (ports.Count == 3)
            {
                return new Azurite(process, location, ports["Blob"], ports["Queue"], ports["Table"]);
            }

            await Task.Delay(50);
        }

        await process.DisposeAsync();
        Directory.Delete(location, recursive: true);
        throw new InvalidOperationException("Azurite did not report all three services:\n" + process.Output);
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
