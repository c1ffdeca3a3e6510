using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AudienceTrends.LocalHost.Logging;

/// <summary>Console lines as the Functions host writes them: <c>[2026-12-02T03:20:58.123Z] message</c>, then the exception.</summary>
public sealed class FunctionsConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "functions";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var timestamp = DateTimeOffset.UtcNow.ToString(options.CurrentValue.TimestampFormat ?? "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var level = logEntry.LogLevel >= LogLevel.Warning ? logEntry.LogLevel.ToString() + ": " : "";
        textWriter.WriteLine($"[{timestamp}] {level}{message}");
        if (logEntry.Exception is not null)
        {
            textWriter.WriteLine($"[{timestamp}] {logEntry.Exception}");
        }
    }
}
