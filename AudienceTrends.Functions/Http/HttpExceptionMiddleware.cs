using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Functions.Http;

/// <summary>
/// HTTP triggers only: an unhandled exception becomes a 500 problem response that says nothing of the internals
/// (the details go to the log, correlated by the invocation id). Queue triggers are left alone so the host retries.
/// </summary>
public sealed class HttpExceptionMiddleware(ILogger<HttpExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public static bool IsHttpTrigger(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => b.Type == "httpTrigger");

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            logger.LogError(e, "Function {FunctionName} failed, invocation {InvocationId}", context.FunctionDefinition.Name, context.InvocationId);
            await UnhandledProblem.WriteAsync(http, context.InvocationId);
        }
    }
}

public static class UnhandledProblem
{
    public static Task WriteAsync(HttpContext http, string invocationId) =>
        TypedResults.Problem(
            "The service could not complete the request. Retry later; if it persists, quote the invocation id to support.",
            statusCode: StatusCodes.Status500InternalServerError,
            title: "Internal error",
            extensions: new Dictionary<string, object?> { ["invocationId"] = invocationId }).ExecuteAsync(http);
}
