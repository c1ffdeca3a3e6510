using System.Net;
using System.Reflection;
using System.Text.Json;
using AudienceTrends.Core;
using AudienceTrends.Core.Storage;
using AudienceTrends.Functions;
using AudienceTrends.Functions.Http;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A faithful stand-in for the Functions host, for machines where it cannot be installed. It does what the host
/// does with this app, from the same inputs: the app's real DI registrations (<c>AddAudienceTrends</c>), the
/// bindings in the <c>functions.metadata</c> the build wrote, the route prefix and queue retry count in
/// <c>host.json</c>. HTTP requests are routed by the metadata's route templates and methods to the function
/// methods; queue messages (Base64) are received, passed to the queue-triggered function, deleted on success,
/// made visible again on failure and moved to the poison queue after <c>maxDequeueCount</c> attempts.
/// Not reproduced: function keys (the local host does not check them either) and timer schedules.
/// </summary>
public sealed class InProcessFunctionsHost : IFunctionsTestHost
{
    private readonly IHost _host;
    private readonly IReadOnlyList<FunctionMetadata> _functions;
    private readonly string _routePrefix;
    private readonly int _maxDequeueCount;
    private readonly List<Exception> _queueFailures = [];

    private InProcessFunctionsHost(IHost host)
    {
        _host = host;
        _functions = FunctionMetadata.Load();
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")));
        var extensions = hostJson.RootElement.GetProperty("extensions");
        _routePrefix = extensions.GetProperty("http").GetProperty("routePrefix").GetString() ?? "api";
        _maxDequeueCount = extensions.GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();
        Client = new HttpClient(new Dispatcher(this)) { BaseAddress = new Uri("http://localhost/") };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Exceptions queue-triggered functions threw (each one a retry the host would make).</summary>
    public IReadOnlyList<Exception> QueueFailures => _queueFailures;

    public static async Task<InProcessFunctionsHost> StartAsync(
        IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddAudienceTrends(builder.Configuration);
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(); // validates every options class, as the worker does at start-up
        return new InProcessFunctionsHost(host);
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

    /// <summary>Delivers one message (work queue first, then poison queue) to its function; false when both are empty.</summary>
    public async Task<bool> ProcessNextMessageAsync(CancellationToken cancellationToken = default)
    {
        var queues = _host.Services.GetRequiredService<StorageClients>().Queues;
        foreach (var function in _functions.Where(f => f.Trigger.Type == "queueTrigger"))
        {
            var queue = queues.GetQueueClient(Resolve(function.Trigger.QueueName!));
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            var message = (await queue.ReceiveMessageAsync(TimeSpan.FromMinutes(5), cancellationToken)).Value;
            if (message is not null)
            {
                await ProcessMessageAsync(queues, queue, function, message, cancellationToken);
                return true;
            }
        }

        return false;
    }

    private async Task ProcessMessageAsync(
        QueueServiceClient queues, QueueClient queue, FunctionMetadata function, Azure.Storage.Queues.Models.QueueMessage message,
        CancellationToken cancellationToken)
    {
        try
        {
            await InvokeAsync(function, new Dictionary<string, object?> { [function.Trigger.Name] = message.MessageText }, null, cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (Exception e)
        {
            _queueFailures.Add(e);
            if (message.DequeueCount >= _maxDequeueCount)
            {
                var poison = queues.GetQueueClient(Resolve(function.Trigger.QueueName!) + "-poison");
                await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await poison.SendMessageAsync(message.MessageText, cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero,
                    cancellationToken: cancellationToken);
            }
        }
    }

    /// <summary>Resolves <c>%setting%</c> binding expressions from the app's configuration, as the host does.</summary>
    public string Resolve(string expression) =>
        System.Text.RegularExpressions.Regex.Replace(expression, "%([^%]+)%", m =>
            _host.Services.GetRequiredService<IConfiguration>()[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The binding expression {m.Value} does not resolve to a value."));

    /// <summary>Runs a function by name with the given trigger values (for timer functions and direct calls).</summary>
    public Task<object?> InvokeAsync(string functionName, IDictionary<string, object?> values, CancellationToken cancellationToken = default) =>
        InvokeAsync(_functions.Single(f => f.Name == functionName), values, null, cancellationToken);

    private async Task<object?> InvokeAsync(
        FunctionMetadata function, IDictionary<string, object?> values, HttpContext? http, CancellationToken cancellationToken)
    {
        var split = function.EntryPoint.LastIndexOf('.');
        var type = typeof(CreateExportFunction).Assembly.GetType(function.EntryPoint[..split], throwOnError: true)!;
        var method = type.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance)!;
        await using var scope = _host.Services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, type);
        var arguments = method.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => http!.Request,
            var t when t == typeof(CancellationToken) => cancellationToken,
            var t when t == typeof(TimerInfo) => new TimerInfo(),
            _ when values.TryGetValue(p.Name!, out var value) => value,
            _ => throw new NotSupportedException($"The stand-in cannot bind parameter {p.Name} of {function.Name}."),
        }).ToArray();

        try
        {
            var task = (Task)method.Invoke(instance, arguments)!;
            await task;
            return task.GetType().GetProperty("Result")?.GetValue(task);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private async Task<HttpResponseMessage> HandleHttpAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var http = new DefaultHttpContext { RequestServices = _host.Services };
        http.Request.Method = request.Method.Method;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.Path = request.RequestUri!.AbsolutePath;
        http.Request.QueryString = new QueryString(request.RequestUri.Query);
        foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            http.Request.Headers[header.Key] = header.Value.ToArray();
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        http.Request.Body = new MemoryStream(body);
        http.Request.ContentLength = request.Content is null ? null : body.Length;
        var responseBody = new MemoryStream();
        http.Response.Body = responseBody;

        var (function, routeValues) = Route(http.Request.Method, http.Request.Path);
        if (function is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
        }
        else
        {
            try
            {
                var values = routeValues.ToDictionary(v => v.Key, v => (object?)v.Value?.ToString());
                var result = await InvokeAsync(function, values, http, cancellationToken);
                if (result is IActionResult action)
                {
                    await action.ExecuteResultAsync(new ActionContext(http, new RouteData(routeValues), new ActionDescriptor()));
                }
            }
            catch (Exception e) when (!http.Response.HasStarted)
            {
                // What HttpExceptionMiddleware does inside the real host.
                _host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<HttpExceptionMiddleware>()
                    .LogError(e, "Function {FunctionName} failed", function.Name);
                TestContext.Out.WriteLine($"{function.Name} failed: {e}");
                await UnhandledProblem.WriteAsync(http, Guid.NewGuid().ToString());
            }
        }

        var response = new HttpResponseMessage((HttpStatusCode)http.Response.StatusCode)
        {
            Content = new ByteArrayContent(responseBody.ToArray()),
            RequestMessage = request,
        };
        foreach (var header in http.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        return response;
    }

    private (FunctionMetadata? Function, RouteValueDictionary Values) Route(string method, PathString path)
    {
        foreach (var function in _functions.Where(f => f.Trigger.Type == "httpTrigger"))
        {
            var template = string.IsNullOrEmpty(_routePrefix) ? function.Trigger.Route! : $"{_routePrefix}/{function.Trigger.Route}";
            var values = new RouteValueDictionary();
            if (new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary()).TryMatch(path, values) &&
                function.Trigger.Methods.Contains(method.ToUpperInvariant()))
            {
                return (function, values);
            }
        }

        return (null, new RouteValueDictionary());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class Dispatcher(InProcessFunctionsHost host) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            host.HandleHttpAsync(request, cancellationToken);
    }
}
