using System.Globalization;
using System.Text.Json;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Requests;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// Reads the <c>POST /v2/schedules</c> body, <c>{"name", "cron", "timeZone", "timeframe": {"lastDays", "endDaysAgo"},
/// "export": {...}, "overlap", "suspendAfterFailures", "catchUp"}</c>, listing every problem at once keyed by JSON path,
/// with messages that name the field and never quote a value. The schedule's own rules live in its domain types
/// (<see cref="ScheduleTiming"/>, <see cref="ScheduleWindow"/>, <see cref="Overlap"/>, <see cref="SuspendAfterFailures"/>,
/// <see cref="CatchUp"/>). The <c>export</c> object is read by <see cref="ExportRequestParser.ReadTemplate"/>, the
/// same code that reads a job's body (every field and destination rule has one home, so a schedule cannot accept an
/// export a job would refuse), its problems keyed <c>export.</c>...; only the two timeframe dates are not read there,
/// and giving them is refused, since the schedule's timeframe sets them for each run. No placeholder dates are
/// injected: they could surface in an error or a stored schedule.
/// </summary>
public sealed class ScheduleRequestParser(
    ExportRequestParser exports, IOptions<IntakeOptions> intake, IOptions<SchedulesOptions> limits, TimeProvider time)
{
    public const string NameField = "name";
    public const string TimeframeField = "timeframe";
    public const string ExportField = "export";
    public const int MaxNameLength = 100;

    /// <summary>The prefix of every problem in the export object's own fields.</summary>
    public const string ExportPrefix = ExportField + ".";

    private const string LastDaysField = "lastDays";
    private const string EndDaysAgoField = "endDaysAgo";
    private static readonly string[] TimeframeDates = ["selected_timeframe_start", "selected_timeframe_end"];

    /// <summary>The body read, no I/O: the request, or null with every problem by JSON path.</summary>
    public (ScheduleRequest? Request, RequestErrors Errors) Parse(ReadOnlySpan<byte> utf8Json) =>
        ExportRequestParser.ParseBody<(ScheduleRequest?, RequestErrors)>(utf8Json, Read, errors => (null, errors));

    /// <summary>
    /// The body read (<see cref="Parse"/>), then, when it was accepted, the export's destination checked for
    /// <paramref name="account"/> where that needs I/O (a saved SFTP key the account holds), exactly as a job's is,
    /// problems keyed <c>export.destination...</c>: what the schedules' intake calls.
    /// </summary>
    public async Task<(ScheduleRequest? Request, RequestErrors Errors)> ParseAndCheckAsync(
        ReadOnlyMemory<byte> utf8Json, AccountId account, CancellationToken cancellationToken)
    {
        var (request, errors) = Parse(utf8Json.Span);
        if (request is not null)
        {
            await exports.CheckDestinationAsync(request.Export.Destination, account, ExportPrefix, errors, cancellationToken);
        }

        return (errors.HasErrors ? null : request, errors);
    }

    private (ScheduleRequest?, RequestErrors) Read(JsonElement root, RequestErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(ExportRequestParser.BodyPath,
                "The request body must be a JSON object such as {\"name\": \"daily\", \"cron\": \"0 6 * * *\", \"timeZone\": \"UTC\", ...}.");
            return (null, errors);
        }

        var body = new JsonFields(root, "", errors);
        var name = body.String(NameField, required: true, value => value.Length > MaxNameLength
            ? string.Create(CultureInfo.InvariantCulture, $"must be at most {MaxNameLength} characters long.")
            : null);
        var timing = ReadTiming(body);
        var window = ReadWindow(body);
        var export = ReadExport(body);
        var overlap = Choice(body, Overlap.Field, Overlap.Default, Overlap.Parse);
        var catchUp = Choice(body, CatchUp.Field, CatchUp.Default, CatchUp.Parse);
        var suspend = SuspendAfterFailures.Default;
        if (WholeNumber(body, SuspendAfterFailures.Field, required: false) is { } count)
        {
            var (limit, problem) = SuspendAfterFailures.Parse(count);
            suspend = limit ?? suspend;
            if (problem is not null)
            {
                body.Add(SuspendAfterFailures.Field, problem);
            }
        }

        if (errors.HasErrors || name is null || timing is null || window is null || export is null)
        {
            return (null, errors);
        }

        return (new ScheduleRequest
        {
            Name = name,
            Timing = timing,
            Window = window,
            Export = export,
            Overlap = overlap,
            SuspendAfterFailures = suspend,
            CatchUp = catchUp,
        }, errors);
    }

    private ScheduleTiming? ReadTiming(JsonFields body)
    {
        var cron = body.String(ScheduleTiming.CronField, required: true);
        var timeZone = body.String(ScheduleTiming.TimeZoneField, required: true);
        return cron is null || timeZone is null
            ? null
            : Keep(body, ScheduleTiming.Parse(cron, timeZone, limits.Value.MinInterval, time.GetUtcNow()));
    }

    private ScheduleWindow? ReadWindow(JsonFields body)
    {
        if (!body.TryGet(TimeframeField, required: true, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            body.Add(TimeframeField, "must be an object such as {\"lastDays\": 30, \"endDaysAgo\": 1}: the 30 local days ending the day before each run.");
            return null;
        }

        var fields = body.Nested(element, TimeframeField);
        var lastDays = WholeNumber(fields, LastDaysField, required: true);
        var endDaysAgo = WholeNumber(fields, EndDaysAgoField, required: true);
        return lastDays is null || endDaysAgo is null
            ? null
            : Keep(body, ScheduleWindow.Create(lastDays.Value, endDaysAgo.Value, intake.Value.MaxTimeframeDays));
    }

    private ExportTemplate? ReadExport(JsonFields body)
    {
        if (!body.TryGet(ExportField, required: true, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            body.Add(ExportField, "must be an object: the body of POST /v2/audiencetrendsexport without selected_timeframe_start and selected_timeframe_end.");
            return null;
        }

        var fields = body.Nested(element, ExportField);
        foreach (var date in TimeframeDates.Where(fields.Has))
        {
            fields.Add(date, "must not be given: the schedule's timeframe sets them for each run.");
        }

        var export = exports.ReadTemplate(element, ExportPrefix, body.Errors);
        return fields.HasProblems ? null : export;
    }

    /// <summary>Adds a domain type's problems (keyed by their full path, phrased to follow it); the value when there were none.</summary>
    private static T? Keep<T>(JsonFields body, (T? Value, IReadOnlyDictionary<string, string> Problems) parsed)
        where T : class
    {
        foreach (var (path, problem) in parsed.Problems)
        {
            body.Errors.Add(path, $"{path} {problem}");
        }

        return parsed.Problems.Count == 0 ? parsed.Value : null;
    }

    /// <summary>An optional string field read by <paramref name="parse"/>: its default when absent, the default with the problem reported when refused.</summary>
    private static T Choice<T>(JsonFields body, string field, T fallback, Func<string, (T?, string?)> parse)
        where T : class
    {
        if (body.String(field) is not { } text)
        {
            return fallback;
        }

        var (value, problem) = parse(text);
        if (problem is not null)
        {
            body.Add(field, problem);
        }

        return value ?? fallback;
    }

    private static int? WholeNumber(JsonFields body, string field, bool required)
    {
        if (!body.TryGet(field, required, out var element))
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value))
        {
            return value;
        }

        body.Add(field, "must be a whole number.");
        return null;
    }
}
