using System.Net;
using AudienceTrends.LocalHost;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.LocalHost;

/// <summary>
/// The local host as a user runs it: Kestrel on a loopback port, queue listeners and timers working in the
/// background on their own (nothing is pumped by the test). Logs are captured for the tests to read.
/// </summary>
public sealed class RunningLocalHost : IFunctionsTestHost
{
    private readonly LocalFunctionsHost _host;

    private readonly HttpClientHandler _handler = new();

    private RunningLocalHost(LocalFunctionsHost host, int port, CapturingLoggerProvider logs, TestKeys keys)
    {
        _host = host;
        Logs = logs;
        Keys = keys;
        var address = new Uri($"http://127.0.0.1:{port}/");
        Client = TestAccounts.Client(_handler, address, keys.Demo);
        OtherClient = TestAccounts.Client(_handler, address, keys.Other);
        AnonymousClient = TestAccounts.Client(_handler, address, null);
    }

    public HttpClient Client { get; }

    public HttpClient OtherClient { get; }

    public HttpClient AnonymousClient { get; }

    public TestKeys Keys { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<RunningLocalHost> StartAsync(
        IDictionary<string, string?> settings, IEnumerable<FunctionMetadata>? additionalFunctions = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var port = ServerProcess.FreeTcpPort();
        var logs = new CapturingLoggerProvider();
        var host = LocalFunctionsHost.Create(new LocalHostOptions
        {
            Settings = settings,
            AdditionalFunctions = additionalFunctions ?? [],
            ConfigureServer = builder => builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port)),
            ConfigureServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                configureServices?.Invoke(services);
            },
        });
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return new RunningLocalHost(host, port, logs, await TestAccounts.ProvisionAsync(settings));
    }

    /// <summary>The listeners run by themselves; callers poll what they observe.</summary>
    public Task DrainQueuesAsync(CancellationToken cancellationToken = default) => Task.Delay(100, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        OtherClient.Dispose();
        AnonymousClient.Dispose();
        _handler.Dispose();
        await _host.DisposeAsync();
    }
}
