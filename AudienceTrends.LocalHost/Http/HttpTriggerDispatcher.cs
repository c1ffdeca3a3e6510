using AudienceTrends.Functions.Http;
using AudienceTrends.LocalHost.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.LocalHost.Http;

/// <summary>
/// The HTTP triggers: each request is matched against the metadata's route templates (under host.json's route
/// prefix) and methods; no route gives 404, a route without the request's method 405 with an Allow header. The
/// function's IActionResult is executed on the response; an unhandled exception becomes the same 500 problem the
/// app's <see cref="HttpExceptionMiddleware"/> writes inside the real host. Function keys are not checked (the
/// Functions host does not check them locally either).
/// </summary>
public sealed class HttpTriggerDispatcher
{
    private readonly FunctionInvoker _invoker;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<(FunctionMetadata Function, TemplateMatcher Matcher)> _routes;

    public HttpTriggerDispatcher(IEnumerable<FunctionMetadata> functions, string routePrefix, FunctionInvoker invoker, ILogger<HttpExceptionMiddleware> logger)
    {
        _invoker = invoker;
        _logger = logger;
        _routes = functions.Where(f => f.Trigger.Type == "httpTrigger").Select(f =>
        {
            var route = f.Trigger.Route ?? f.Name;
            var template = string.IsNullOrEmpty(routePrefix) ? route : $"{routePrefix.Trim('/')}/{route}";
            return (f, new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary()));
        }).ToList();
    }

    /// <summary>The routes served, as "METHOD /route", for the start-up banner.</summary>
    public IEnumerable<string> Describe() =>
        _routes.Select(r => $"{r.Function.Name}: [{string.Join(",", r.Function.Trigger.Methods)}] /{r.Matcher.Template.TemplateText}");

    public async Task HandleAsync(HttpContext http)
    {
        var matches = new List<(FunctionMetadata Function, RouteValueDictionary Values)>();
        foreach (var (candidate, matcher) in _routes)
        {
            var candidateValues = new RouteValueDictionary();
            if (matcher.TryMatch(http.Request.Path, candidateValues))
            {
                matches.Add((candidate, candidateValues));
            }
        }

        if (matches.Count == 0)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var method = http.Request.Method.ToUpperInvariant();
        var (function, routeValues) = matches.FirstOrDefault(m => m.Function.Trigger.Methods.Count == 0 || m.Function.Trigger.Methods.Contains(method));
        if (function is null)
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = string.Join(", ", matches.SelectMany(m => m.Function.Trigger.Methods).Distinct());
            return;
        }

        var values = routeValues.ToDictionary(v => v.Key, v => (object?)v.Value?.ToString());
        var invocationId = Guid.NewGuid();
        try
        {
            var result = await _invoker.InvokeAsync(
                function, invocationId, "This function was programmatically called via the host APIs.", values, http, http.RequestAborted);
            if (result is IActionResult action)
            {
                await action.ExecuteResultAsync(new ActionContext(http, new RouteData(routeValues), new ActionDescriptor()));
            }
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            _logger.LogError(e, "Function {FunctionName} failed, invocation {InvocationId}", function.Name, invocationId);
            await UnhandledProblem.WriteAsync(http, invocationId.ToString());
        }
    }
}
