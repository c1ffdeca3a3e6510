using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// The spans (OpenTelemetry's in-memory exporter, added to the app's own tracer provider) and the measurements (a
/// listener on the meters of this host's <see cref="IMeterFactory"/> only, so fixtures running beside it do not count)
/// of an app under test. Spans of other fixtures' hosts pass the process-wide ActivitySource too: select by trace.
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private MeterListener? _listener;

    /// <summary>Adds the exporter to the app's tracer provider (pass to the host's configureServices).</summary>
    public void Configure(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));

    /// <summary>Starts listening to the meters of <paramref name="host"/>'s container.</summary>
    public void Listen(InProcessFunctionsHost host)
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Every span ended so far.</summary>
    public List<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>The ended spans of <paramref name="traceId"/>'s trace.</summary>
    public List<Activity> Trace(ActivityTraceId traceId) => Spans.Where(s => s.TraceId == traceId).ToList();

    /// <summary>What the instrument <paramref name="name"/> measured (for a gauge: each time <see cref="ReadGauges"/> read it).</summary>
    public List<Measurement> Measured(string name) => _measurements.Where(m => m.Instrument == name).ToList();

    /// <summary>Reads the observable gauges once, as an exporter's collection would.</summary>
    public void ReadGauges() => _listener!.RecordObservableInstruments();

    public void Dispose() => _listener?.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags)
    {
        public override string ToString() => $"{Instrument} {Value} {{{string.Join(", ", Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
    }
}
