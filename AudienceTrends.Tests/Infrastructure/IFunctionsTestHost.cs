namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The function app under test, reached over HTTP. <see cref="FuncCliHost"/> runs the real Functions host
/// (<c>func</c>) when it is on PATH; otherwise the project's local host runs it
/// (<see cref="InProcessFunctionsHost"/>, the same AudienceTrends.LocalHost that <c>scripts/run-local.sh</c> starts).
/// </summary>
public interface IFunctionsTestHost : IAsyncDisposable
{
    HttpClient Client { get; }

    /// <summary>Lets queued work run: the real host does it by itself; the local host's listeners deliver every
    /// message, one at a time, until the queues are idle.</summary>
    Task DrainQueuesAsync(CancellationToken cancellationToken = default);
}

public static class FunctionsTestHost
{
    /// <summary>The real host when <c>func</c> is installed, the local host otherwise.</summary>
    public static async Task<IFunctionsTestHost> StartAsync(IDictionary<string, string?> settings)
    {
        return FuncCliHost.IsAvailable
            ? await FuncCliHost.StartAsync(settings)
            : await InProcessFunctionsHost.StartAsync(settings);
    }
}
