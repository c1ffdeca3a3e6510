using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace AudienceTrends.Benchmark;

/// <summary>
/// Counts the storage requests the Azure SDK sends (its "Azure-Core" event source logs each one) while it listens:
/// how many round trips a job costs, and which.
/// </summary>
public sealed class StorageCalls : EventListener
{
    private readonly ConcurrentQueue<string> _requests = new();
    private volatile bool _recording;

    /// <summary>"METHOD /account/resource" of each request sent while recording.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public void Start()
    {
        _requests.Clear();
        _recording = true;
    }

    public IReadOnlyList<string> Stop()
    {
        _recording = false;
        return Requests;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Azure-Core")
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // Request(requestId, method, uri, headers, clientAssembly): one per attempt, retries included.
        if (_recording && eventData.EventName == "Request" && eventData.Payload is [_, var method, var uri, ..])
        {
            _requests.Enqueue($"{method} {Path(uri as string)}");
        }
    }

    /// <summary>The path, and the operation when the query names one (<c>comp=block</c>, <c>comp=blocklist</c>, ...).</summary>
    private static string Path(string? uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return uri ?? "?";
        }

        var comp = parsed.Query.TrimStart('?').Split('&').FirstOrDefault(p => p.StartsWith("comp=", StringComparison.Ordinal));
        return comp is null ? parsed.AbsolutePath : $"{parsed.AbsolutePath}?{comp}";
    }
}
