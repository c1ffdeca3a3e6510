using AudienceTrends.Core.Accounts;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.Managed;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// Reads the POST /v2/audiencetrendsexport body by hand: tolerant where the reference page's own examples are
/// (a port as a numeric string, <c>"type": "sftp"</c> where the table says SFTP), strict everywhere else, and listing every
/// problem at once keyed by JSON path. Messages name the field but never quote a value from the body, so no
/// credential (or a password pasted into the wrong field) can leak through an error response or a log. The request's
/// own fields are read here; <c>destination</c> is read by the kind its <c>type</c> names (<see cref="DestinationKinds"/>).
/// </summary>
public sealed class ExportRequestParser(IOptions<IntakeOptions> options, DestinationKinds kinds)
{
    /// <summary>The error key for the body as a whole.</summary>
    public const string BodyPath = "$";

    private const string DateFormat = "yyyy-MM-dd";
    private const string DestinationField = "destination";

    private readonly IntakeOptions _limits = options.Value;

    public RequestParseResult Parse(ReadOnlySpan<byte> utf8Json) =>
        ParseBody(utf8Json, Read, RequestParseResult.Invalid);

    /// <summary>
    /// The body of <c>POST /v2/destinations/test</c>, <c>{"destination": {...}}</c>: the destination read and checked
    /// exactly as in an export request; null with the problems (keyed <c>destination...</c>) when refused.
    /// </summary>
    public (DestinationInput? Destination, RequestErrors Errors) ParseDestination(ReadOnlySpan<byte> utf8Json) =>
        ParseBody<(DestinationInput?, RequestErrors)>(utf8Json, (root, errors) =>
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(BodyPath, "The request body must be a JSON object such as {\"destination\": {\"type\": \"sftp\", ...}}.");
                return (null, errors);
            }

            var body = new JsonFields(root, "", errors);
            if (!body.Has(DestinationField))
            {
                body.Add(DestinationField, "is required.");
                return (null, errors);
            }

            var destination = ReadDestination(body);
            return (errors.HasErrors ? null : destination, errors);
        }, errors => (null, errors));

    /// <summary>
    /// An export request body read (<see cref="Parse"/>), then, when it was accepted, its destination checked where
    /// that needs I/O (<see cref="IDestinationKind.CheckAsync"/>): what the intake calls. Every problem is under its
    /// JSON path in the result's errors.
    /// </summary>
    public async Task<RequestParseResult> ParseAndCheckAsync(ReadOnlyMemory<byte> utf8Json, AccountId account, CancellationToken cancellationToken)
    {
        var parsed = Parse(utf8Json.Span);
        if (parsed.Request is { } request)
        {
            await CheckDestinationAsync(request.Destination, account, "", parsed.Errors, cancellationToken);
        }

        return parsed;
    }

    /// <summary>
    /// The body of <c>POST /v2/destinations/test</c> read (<see cref="ParseDestination"/>) and its destination checked
    /// exactly as <see cref="ParseAndCheckAsync"/> checks an export request's; null with the problems when refused.
    /// </summary>
    public async Task<(DestinationInput? Destination, RequestErrors Errors)> ParseAndCheckDestinationAsync(
        ReadOnlyMemory<byte> utf8Json, AccountId account, CancellationToken cancellationToken)
    {
        var (destination, errors) = ParseDestination(utf8Json.Span);
        if (destination is not null)
        {
            await CheckDestinationAsync(destination.Settings, account, "", errors, cancellationToken);
        }

        return (errors.HasErrors ? null : destination, errors);
    }

    /// <summary>
    /// The destination's checks that need I/O, each problem added under <paramref name="prefix"/> and its JSON path
    /// (<c>export.</c> for a schedule's): the one place every entry point shares.
    /// </summary>
    internal async Task CheckDestinationAsync(
        DestinationSettings settings, AccountId account, string prefix, RequestErrors errors, CancellationToken cancellationToken)
    {
        foreach (var (field, problem) in await kinds.Find(settings.Type).CheckAsync(settings, account, cancellationToken))
        {
            var path = $"{prefix}{DestinationField}.{field}";
            errors.Add(path, $"{path} {problem}");
        }
    }

    /// <summary>
    /// The body's JSON handed to <paramref name="read"/>, or the problem with its bytes (empty, not UTF-8, not JSON, a
    /// lone surrogate) under <see cref="BodyPath"/>: shared with the schedule body's reader.
    /// </summary>
    internal static T ParseBody<T>(ReadOnlySpan<byte> utf8Json, Func<JsonElement, RequestErrors, T> read, Func<RequestErrors, T> invalid)
    {
        var errors = new RequestErrors();
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        if (utf8Json.Trim(" \t\r\n"u8).IsEmpty)
        {
            errors.Add(BodyPath, "The request body is empty: send the export request as a JSON object.");
            return invalid(errors);
        }

        if (!Utf8.IsValid(utf8Json))
        {
            errors.Add(BodyPath, "The request body must be UTF-8 text: it contains bytes that are not valid UTF-8.");
            return invalid(errors);
        }

        JsonDocument document;
        try
        {
            // One copy (the body is capped by Intake:MaxBodyBytes); JsonDocument then reads it in place.
            document = JsonDocument.Parse(utf8Json.ToArray());
        }
        catch (JsonException e)
        {
            // The reader's own message can quote the offending character, which may sit inside a password.
            errors.Add(BodyPath, e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? string.Create(CultureInfo.InvariantCulture,
                    $"The request body is not valid JSON: the problem is at line {line + 1}, byte {position + 1} of that line.")
                : "The request body is not valid JSON.");
            return invalid(errors);
        }

        using (document)
        {
            try
            {
                return read(document.RootElement, errors);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON, yet a string holds an escaped lone surrogate ("\uD800") that no .NET string can carry.
                var onlyThis = new RequestErrors();
                onlyThis.Add(BodyPath, "The request body contains a \\u escape that is not valid Unicode (a lone surrogate).");
                return invalid(onlyThis);
            }
        }
    }

    private RequestParseResult Read(JsonElement root, RequestErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(BodyPath, "The request body must be a JSON object such as {\"name\": \"audiencetrends\", ...}.");
            return RequestParseResult.Invalid(errors);
        }

        var template = ReadTemplate(root, "", errors);
        var timeframe = ReadTimeframe(new JsonFields(root, "", errors));
        return template is null || timeframe is null
            ? RequestParseResult.Invalid(errors)
            : RequestParseResult.Valid(template.For(timeframe.Value.First, timeframe.Value.Last));
    }

    /// <summary>
    /// Every field of an export body but its two timeframe dates, read by the rules <see cref="Parse"/> applies (this
    /// is their one home, so a schedule's <c>export</c> cannot drift from a job's): null when any is refused. Problems
    /// are added to <paramref name="errors"/> under <paramref name="prefix"/> and their JSON path: <c>export.</c> and
    /// <c>export.destination.password</c> for a schedule's. The caller checks <paramref name="element"/> is an object.
    /// </summary>
    public ExportTemplate? ReadTemplate(JsonElement element, string prefix, RequestErrors errors)
    {
        // Its own list of problems tells whether these fields were refused, whatever the caller had found before.
        var own = new RequestErrors();
        var fields = new JsonFields(element, prefix, own);
        var name = fields.String("name", required: true, FieldRules.Name);
        var file = FileFields.Read(fields);
        var destination = ReadDestination(fields);
        var webhook = WebhookField.Read(fields);
        var audiences = AudiencesField.Read(fields, _limits.MaxAudiences);
        foreach (var (path, messages) in own.ToDictionary())
        {
            foreach (var message in messages)
            {
                errors.Add(path, message);
            }
        }

        if (own.HasErrors || name is null || file is null || destination is null || audiences is null)
        {
            return null;
        }

        return new ExportTemplate
        {
            Name = name,
            ExportType = file.Value.ExportType,
            Layout = file.Value.Layout,
            Compression = file.Value.Compression,
            Destination = destination.Settings,
            Secrets = destination.Secrets,
            Webhook = webhook,
            Audiences = audiences,
        };
    }

    private DestinationInput? ReadDestination(JsonFields body)
    {
        if (!body.TryGet(DestinationField, required: false, out var element))
        {
            return ManagedKind.Default;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            body.Add(DestinationField, "must be an object with a type, such as {\"type\": \"sftp\", ...}.");
            return null;
        }

        var fields = body.Nested(element, DestinationField);
        var typeName = fields.String("type", required: true, value => kinds.TryFind(value, out _) ? null : TypeProblem());

        // Which fields are required depends on the type: checking them against a guess would only mislead.
        return kinds.TryFind(typeName, out var kind) ? kind.Read(fields) : null;
    }

    private string TypeProblem() =>
        $"must be one of {string.Join(", ", kinds.WireNames.SkipLast(1))} or {kinds.WireNames[^1]}.";

    private (DateOnly First, DateOnly Last)? ReadTimeframe(JsonFields body)
    {
        var first = ReadDate(body, "selected_timeframe_start");
        var last = ReadDate(body, "selected_timeframe_end");
        if (first is null || last is null)
        {
            return null;
        }

        if (first > last)
        {
            body.Add("selected_timeframe_end", "must not be before selected_timeframe_start.");
            return null;
        }

        var days = last.Value.DayNumber - first.Value.DayNumber + 1;
        if (days > _limits.MaxTimeframeDays)
        {
            body.AddMessage("selected_timeframe_end", string.Create(CultureInfo.InvariantCulture,
                $"The timeframe from selected_timeframe_start to selected_timeframe_end covers {days} days; at most {_limits.MaxTimeframeDays} days (both ends counted) can be exported at once."));
            return null;
        }

        return (first.Value, last.Value);
    }

    private static DateOnly? ReadDate(JsonFields body, string property)
    {
        var text = body.String(property, required: true, value => TryParseDate(value, out _)
            ? null
            : "must be a date written as yyyy-MM-dd, such as 2021-08-17.");
        return text is not null && TryParseDate(text, out var date) ? date : null;
    }

    private static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
