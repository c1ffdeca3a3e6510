using System.Reflection;
using System.Runtime.ExceptionServices;
using AudienceTrends.LocalHost.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.LocalHost;

/// <summary>
/// Runs one invocation the way the isolated worker does: a DI scope per invocation, the function class created from
/// it, parameters bound by type (HttpRequest, CancellationToken, TimerInfo) or by binding/route name; logged as the
/// Functions host logs it ("Executing 'Functions.X' ... Executed 'Functions.X' (Succeeded, Id=..., Duration=...ms)").
/// </summary>
public sealed class FunctionInvoker(IServiceProvider services, ILoggerFactory loggers, TimeProvider clock)
{
    public async Task<object?> InvokeAsync(
        FunctionMetadata function, Guid id, string reason, IReadOnlyDictionary<string, object?> values, HttpContext? http,
        CancellationToken cancellationToken)
    {
        var method = function.ResolveMethod();
        var logger = loggers.CreateLogger("Function." + function.Name);
        var started = clock.GetTimestamp();
        logger.LogInformation("Executing '{FunctionName}' (Reason='{Reason}', Id={InvocationId})", function.LogName, reason, id);
        await using var scope = services.CreateAsyncScope();
        try
        {
            var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
            var arguments = method.GetParameters().Select(p => Bind(function, p, values, http, cancellationToken)).ToArray();
            var task = (Task)method.Invoke(instance, arguments)!;
            await task;
            logger.LogInformation("Executed '{FunctionName}' (Succeeded, Id={InvocationId}, Duration={Duration}ms)",
                function.LogName, id, (long)clock.GetElapsedTime(started).TotalMilliseconds);
            return task.GetType().GetProperty("Result")?.GetValue(task);
        }
        catch (Exception e)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            logger.LogError(cause, "Executed '{FunctionName}' (Failed, Id={InvocationId}, Duration={Duration}ms)",
                function.LogName, id, (long)clock.GetElapsedTime(started).TotalMilliseconds);
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    private static object? Bind(
        FunctionMetadata function, ParameterInfo parameter, IReadOnlyDictionary<string, object?> values, HttpContext? http,
        CancellationToken cancellationToken) => parameter.ParameterType switch
    {
        var t when t == typeof(HttpRequest) => http?.Request
            ?? throw new InvalidOperationException($"{function.Name} takes an HttpRequest but was not triggered by HTTP."),
        var t when t == typeof(CancellationToken) => cancellationToken,
        _ when values.TryGetValue(parameter.Name!, out var value) => value,
        var t when t == typeof(TimerInfo) => new TimerInfo(),
        _ => throw new NotSupportedException($"The local host cannot bind parameter {parameter.Name} of {function.Name}."),
    };
}
