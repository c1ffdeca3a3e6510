using System.Text.RegularExpressions;
using AudienceTrends.Core;
using AudienceTrends.Core.Storage;
using AudienceTrends.Functions.Http;
using AudienceTrends.Functions.Telemetry;
using AudienceTrends.LocalHost.Http;
using AudienceTrends.LocalHost.Logging;
using AudienceTrends.LocalHost.Metadata;
using AudienceTrends.LocalHost.Queues;
using AudienceTrends.LocalHost.Timers;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace AudienceTrends.LocalHost;

/// <summary>How to build a <see cref="LocalFunctionsHost"/>.</summary>
public sealed class LocalHostOptions
{
    /// <summary>App settings, keys with ':' for sections (local.settings.json's <c>Values</c> after <c>__</c> → <c>:</c>).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings { get; init; } = [];

    /// <summary>Environment variables override <see cref="Settings"/>, as they do for the Functions host.</summary>
    public bool ReadEnvironment { get; init; }

    /// <summary>Where the build put functions.metadata, host.json and the function assemblies.</summary>
    public string AppDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>Functions besides those of functions.metadata (tests add their own probes).</summary>
    public IEnumerable<FunctionMetadata> AdditionalFunctions { get; init; } = [];

    /// <summary>Run the queue listeners and timers in the background (false: callers deliver messages themselves).</summary>
    public bool RunTriggers { get; init; } = true;

    /// <summary>Write logs to the console in the Functions host's style.</summary>
    public bool ConsoleLogs { get; init; }

    /// <summary>Chooses the server: Kestrel on a port for a user, an in-memory server for tests.</summary>
    public Action<WebApplicationBuilder>? ConfigureServer { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// Hosts the function app where the Functions host (<c>func</c>) is not installed, running the same function
/// classes from the same inputs: the app's DI registrations (<c>AddAudienceTrends</c>),
/// the build's functions.metadata, host.json and the app settings. HTTP triggers are served by the web server,
/// queue triggers by <see cref="QueueTriggerListener"/>s, timer triggers by <see cref="TimerTriggerListener"/>s.
/// </summary>
public sealed partial class LocalFunctionsHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _listeners = [];
    private readonly bool _runTriggers;

    private LocalFunctionsHost(WebApplication app, IReadOnlyList<FunctionMetadata> functions, HostJson hostJson, bool runTriggers)
    {
        App = app;
        HostJson = hostJson;
        _runTriggers = runTriggers;
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var hostLogger = loggers.CreateLogger("Host.Triggers");
        Disabled = functions.Where(f => IsDisabled(app.Configuration, f.Name)).ToList();
        foreach (var function in Disabled)
        {
            hostLogger.LogInformation("Function '{FunctionName}' is disabled by its app setting AzureWebJobs.<name>.Disabled", function.Name);
        }

        functions = functions.Except(Disabled).ToList();
        Functions = functions;
        Invoker = new FunctionInvoker(app.Services, loggers, TimeProvider.System);
        Http = new HttpTriggerDispatcher(functions, hostJson.RoutePrefix, Invoker, app.Services.GetRequiredService<ILogger<HttpExceptionMiddleware>>());
        app.Run(Http.HandleAsync);

        var queues = new Lazy<QueueServiceClient>(() => app.Services.GetRequiredService<StorageClients>().Queues);
        Queues = functions.Where(f => f.Trigger.Type == "queueTrigger").Select(f =>
        {
            if (f.Trigger.Connection is { } connection && connection != StorageOptions.SectionName)
            {
                throw new NotSupportedException($"{f.Name}: the local host serves queues of the '{StorageOptions.SectionName}' connection only, not '{connection}'.");
            }

            return new QueueTriggerListener(f, Resolve(f.Trigger.QueueName!), queues, hostJson.Queues, Invoker, hostLogger, TimeProvider.System);
        }).ToList();
        Timers = functions.Where(f => f.Trigger.Type == "timerTrigger")
            .Select(f => new TimerTriggerListener(f, Resolve(f.Trigger.Schedule!), Invoker, hostLogger, TimeProvider.System)).ToList();
        var unsupported = functions.Select(f => f.Trigger.Type).Except(["httpTrigger", "queueTrigger", "timerTrigger"]).ToList();
        if (unsupported.Count > 0)
        {
            throw new NotSupportedException($"The local host does not run triggers of type {string.Join(", ", unsupported)}.");
        }
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The functions that run: those of the metadata but the <see cref="Disabled"/> ones.</summary>
    public IReadOnlyList<FunctionMetadata> Functions { get; }

    /// <summary>
    /// Functions stopped by the Functions host's <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> app setting: an HTTP one answers
    /// 404, a queue or timer trigger does not run. Read at start, as the host does.
    /// </summary>
    public IReadOnlyList<FunctionMetadata> Disabled { get; }

    public HostJson HostJson { get; }

    public FunctionInvoker Invoker { get; }

    public HttpTriggerDispatcher Http { get; }

    public IReadOnlyList<QueueTriggerListener> Queues { get; }

    public IReadOnlyList<TimerTriggerListener> Timers { get; }

    public static LocalFunctionsHost Create(LocalHostOptions options)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.AppDirectory });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        if (options.ReadEnvironment)
        {
            builder.Configuration.AddEnvironmentVariables();
        }

        builder.Logging.SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Azure", LogLevel.Warning);
        if (options.ConsoleLogs)
        {
            builder.Logging.AddConsole(o => o.FormatterName = FunctionsConsoleFormatter.Name).AddConsoleFormatter<FunctionsConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }

        builder.Services.AddAudienceTrends(builder.Configuration);
        // As the worker: the app's spans and metrics, exported only when a setting asks (see AddAudienceTrendsTelemetry).
        builder.Services.AddAudienceTrendsTelemetry(builder.Configuration);
        // The request's span, which the Functions host makes in Azure: ASP.NET Core's own, recorded so the job's spans
        // under it are (an unrecorded parent would leave them unsampled).
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource("Microsoft.AspNetCore"));
        options.ConfigureServices?.Invoke(builder.Services);
        options.ConfigureServer?.Invoke(builder);
        var app = builder.Build();
        var functions = FunctionMetadata.Load(options.AppDirectory).Concat(options.AdditionalFunctions).ToList();
        return new LocalFunctionsHost(app, functions, HostJson.Load(options.AppDirectory, app.Configuration), options.RunTriggers);
    }

    /// <summary>Starts the server (validating every options class, as the worker does) and then the triggers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await App.StartAsync(cancellationToken);
        if (_runTriggers)
        {
            _listeners.AddRange(Queues.Select(q => Task.Run(() => q.RunAsync(_stopping.Token), CancellationToken.None)));
            _listeners.AddRange(Timers.Select(t => Task.Run(() => t.RunAsync(_stopping.Token), CancellationToken.None)));
        }
    }

    /// <summary>Stops taking work, lets running functions finish (they see cancellation), then stops the server.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_listeners);
        await App.StopAsync();
    }

    /// <summary>Resolves <c>%Setting:Name%</c> binding expressions from the app settings, as the host does.</summary>
    public string Resolve(string expression) =>
        BindingExpression().Replace(expression, m =>
            App.Configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The binding expression {m.Value} does not resolve: set the app setting {m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal)}."));

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync();
        }

        await App.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>
    /// The host's switch: <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> (an app setting, or a local.settings.json value) or its
    /// configuration form <c>AzureWebJobs:&lt;Name&gt;:Disabled</c> (environment variable <c>AzureWebJobs__&lt;Name&gt;__Disabled</c>),
    /// set to <c>true</c> or <c>1</c>.
    /// </summary>
    public static bool IsDisabled(IConfiguration configuration, string functionName) =>
        new[] { $"AzureWebJobs.{functionName}.Disabled", $"AzureWebJobs:{functionName}:Disabled" }
            .Select(key => configuration[key]?.Trim())
            .Any(value => value == "1" || (bool.TryParse(value, out var disabled) && disabled));

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex BindingExpression();
}
