using AudienceTrends.LocalHost;
using AudienceTrends.LocalHost.Queues;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The local host (<see cref="LocalFunctionsHost"/>, what <c>scripts/run-local.sh</c> runs without Core Tools) driven
/// by the test without sockets or background work: HTTP requests go through the host's own pipeline on an
/// in-memory server, and queue messages are delivered one at a time when the test asks, by the host's own queue
/// listeners (so retries, visibility and the poison queue behave as in the running host). Failed messages are made
/// visible again at once (<c>visibilityTimeout</c> 0, as the real host's default) so retry tests need not wait.
/// </summary>
public sealed class InProcessFunctionsHost : IFunctionsTestHost
{
    private readonly LocalFunctionsHost _host;
    private readonly List<Exception> _queueFailures = [];
    private readonly Lock _gate = new();

    private readonly HttpMessageHandler _handler;

    private InProcessFunctionsHost(LocalFunctionsHost host, TestKeys keys)
    {
        _host = host;
        _handler = host.App.GetTestServer().CreateHandler();
        Keys = keys;
        Client = ClientFor(keys.Demo);
        OtherClient = ClientFor(keys.Other);
        AnonymousClient = ClientFor(null);
    }

    public HttpClient Client { get; }

    public HttpClient OtherClient { get; }

    public HttpClient AnonymousClient { get; }

    public TestKeys Keys { get; }

    /// <summary>A client sending <paramref name="key"/> (none when null); disposed with the host.</summary>
    public HttpClient ClientFor(string? key) => TestAccounts.Client(_handler, new Uri("http://localhost/"), key);

    public IServiceProvider Services => _host.Services;

    /// <summary>The local host underneath, for tests of the host itself.</summary>
    public LocalFunctionsHost Host => _host;

    /// <summary>Exceptions queue-triggered functions threw (each one a retry the host makes).</summary>
    public IReadOnlyList<Exception> QueueFailures
    {
        get
        {
            lock (_gate)
            {
                return [.. _queueFailures];
            }
        }
    }

    /// <param name="accountsSettings">
    /// Where to create the two <see cref="TestAccounts"/> when not in the app's own storage (a test of a storage
    /// outage runs the app against an unreachable endpoint, with the accounts created in the reachable one).
    /// </param>
    public static async Task<InProcessFunctionsHost> StartAsync(
        IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null,
        IDictionary<string, string?>? accountsSettings = null)
    {
        var appSettings = new Dictionary<string, string?>(settings);
        appSettings.TryAdd("AzureFunctionsJobHost:extensions:queues:visibilityTimeout", "00:00:00");
        var host = LocalFunctionsHost.Create(new LocalHostOptions
        {
            Settings = appSettings,
            RunTriggers = false,
            ConfigureServer = builder => builder.WebHost.UseTestServer(),
            ConfigureServices = configureServices,
        });
        try
        {
            await host.StartAsync(); // validates every options class, as the worker does at start-up
            return new InProcessFunctionsHost(host, await TestAccounts.ProvisionAsync(accountsSettings ?? appSettings));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task DrainQueuesAsync(CancellationToken cancellationToken = default)
    {
        for (var round = 0; round < 10_000; round++)
        {
            if (!await ProcessNextMessageAsync(cancellationToken))
            {
                return;
            }
        }

        throw new InvalidOperationException("The queues never went idle.");
    }

    /// <summary>Delivers one message (work queue first, then poison queue) to its function; false when all are empty.</summary>
    public async Task<bool> ProcessNextMessageAsync(CancellationToken cancellationToken = default)
    {
        foreach (var listener in _host.Queues)
        {
            if (await listener.ProcessNextAsync(cancellationToken) is { } delivery)
            {
                Record(delivery);
                return true;
            }
        }

        return false;
    }

    /// <summary>Resolves <c>%setting%</c> binding expressions from the app's configuration, as the host does.</summary>
    public string Resolve(string expression) => _host.Resolve(expression);

    /// <summary>Runs a function by name with the given trigger values (for timer functions and direct calls).</summary>
    public Task<object?> InvokeAsync(string functionName, IDictionary<string, object?> values, CancellationToken cancellationToken = default) =>
        _host.Invoker.InvokeAsync(_host.Functions.Single(f => f.Name == functionName), Guid.NewGuid(),
            "This function was programmatically called via the host APIs.", values.AsReadOnly(), null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        OtherClient.Dispose();
        AnonymousClient.Dispose();
        _handler.Dispose();
        await _host.DisposeAsync();
    }

    private void Record(QueueDelivery delivery)
    {
        if (delivery.Failure is not null)
        {
            lock (_gate)
            {
                _queueFailures.Add(delivery.Failure);
            }
        }
    }
}
