namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The function app under test, reached over HTTP. <see cref="FuncCliHost"/> runs the real Functions host
/// (<c>func</c>) when it is on PATH; otherwise <see cref="InProcessFunctionsHost"/> stands in for it.
/// </summary>
public interface IFunctionsTestHost : IAsyncDisposable
{
    HttpClient Client { get; }

    /// <summary>Lets queued work run: the real host does it by itself; the stand-in pumps the queues until idle.</summary>
    Task DrainQueuesAsync(CancellationToken cancellationToken = default);
}

public static class FunctionsTestHost
{
    /// <summary>The real host when <c>func</c> is installed, the in-process stand-in otherwise.</summary>
    public static async Task<IFunctionsTestHost> StartAsync(IDictionary<string, string?> settings)
    {
        return FuncCliHost.IsAvailable
            ? await FuncCliHost.StartAsync(settings)
            : await InProcessFunctionsHost.StartAsync(settings);
    }
}
