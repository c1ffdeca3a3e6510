using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// Reads the POST /v2/audiencetrendsexport body by hand: tolerant where the reference page's own examples are
/// (<c>"port": "21"</c>, <c>"type": "sftp"</c> where the table says SFTP), strict everywhere else, and listing every
/// problem at once keyed by JSON path. Messages name the field but never quote a value from the body, so no
/// credential (or a password pasted into the wrong field) can leak through an error response or a log.
/// </summary>
public sealed class ExportRequestParser(IOptions<IntakeOptions> options)
{
    /// <summary>The error key for the body as a whole.</summary>
    public const string BodyPath = "$";

    private const int MaxNameLength = 100;
    private const int MaxServerLength = 253;
    private const int MaxUsernameLength = 256;
    private const int MaxSavedKeyLength = 127;
    private const int MaxPathLength = 1024;
    private const int MaxAudienceLength = 200;
    private const string FingerprintPrefix = "SHA256:";
    private const int FingerprintBase64Length = 43;
    private const string DateFormat = "yyyy-MM-dd";

    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";
    private static readonly SearchValues<char> NameChars = SearchValues.Create(Letters + Digits + "-");
    private static readonly SearchValues<char> SavedKeyChars = SearchValues.Create(Letters + Digits + "-_");
    private static readonly SearchValues<char> HostLabelChars = SearchValues.Create(Letters + Digits + "-_");
    private static readonly SearchValues<char> BucketChars = SearchValues.Create(Letters + Digits + ".-_");
    private static readonly SearchValues<char> RegionChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz" + Digits + "-");
    private static readonly SearchValues<char> Base64Chars = SearchValues.Create(Letters + Digits + "+/");

    private readonly IntakeOptions _limits = options.Value;

    public RequestParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        var errors = new RequestErrors();
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        if (utf8Json.Trim(" \t\r\n"u8).IsEmpty)
        {
            errors.Add(BodyPath, "The request body is empty: send the export request as a JSON object.");
            return RequestParseResult.Invalid(errors);
        }

        if (!Utf8.IsValid(utf8Json))
        {
            errors.Add(BodyPath, "The request body must be UTF-8 text: it contains bytes that are not valid UTF-8.");
            return RequestParseResult.Invalid(errors);
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
            return RequestParseResult.Invalid(errors);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, errors);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON, yet a string holds an escaped lone surrogate ("\uD800") that no .NET string can carry.
                var onlyThis = new RequestErrors();
                onlyThis.Add(BodyPath, "The request body contains a \\u escape that is not valid Unicode (a lone surrogate).");
                return RequestParseResult.Invalid(onlyThis);
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

        var body = new Fields(root, "", errors);
        var name = body.String("name", required: true, NameProblem);
        body.String("exportType", rule: value => value.Equals("csv", StringComparison.OrdinalIgnoreCase)
            ? null
            : "must be \"csv\": only CSV files can be exported.");
        var (destination, secrets) = ReadDestination(body);
        var timeframe = ReadTimeframe(body);
        var audiences = ReadAudiences(body);

        if (errors.HasErrors || name is null || destination is null || timeframe is null || audiences is null)
        {
            return RequestParseResult.Invalid(errors);
        }

        return RequestParseResult.Valid(new ExportRequest
        {
            Name = name,
            ExportType = "csv",
            Destination = destination,
            Secrets = secrets.IsEmpty ? DestinationSecrets.None : secrets,
            FirstDay = timeframe.Value.First,
            LastDay = timeframe.Value.Last,
            Audiences = audiences,
        });
    }

    private static (Destination? Destination, DestinationSecrets Secrets) ReadDestination(Fields body)
    {
        if (!body.TryGet("destination", required: false, out var element))
        {
            return (Destination.Managed, DestinationSecrets.None);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            body.Add("destination", "must be an object with a type, such as {\"type\": \"sftp\", ...}.");
            return (null, DestinationSecrets.None);
        }

        var fields = new Fields(element, "destination.", body.Errors);
        var typeName = fields.String("type", required: true, value => DestinationTypeNames.TryParse(value, out _)
            ? null
            : "must be one of aws, ftp, sftp, s3 or gcs.");
        if (!DestinationTypeNames.TryParse(typeName, out var type))
        {
            // Which fields are required depends on the type: checking them against a guess would only mislead.
            return (null, DestinationSecrets.None);
        }

        // Fields that belong to another type are ignored, as the reference API does.
        return type switch
        {
            DestinationType.Aws => (Destination.Managed, DestinationSecrets.None),
            DestinationType.Ftp => ReadFtp(fields),
            DestinationType.Sftp => ReadSftp(fields),
            DestinationType.S3 => ReadS3(fields),
            DestinationType.Gcs => ReadGcs(fields),
            _ => throw new UnreachableException(),
        };
    }

    private static (Destination, DestinationSecrets) ReadFtp(Fields fields) =>
    (
        new Destination
        {
            Type = DestinationType.Ftp,
            Server = fields.String("server", required: true, ServerProblem),
            Port = fields.Port(),
            Username = fields.String("username", required: true, UsernameProblem),
            Path = ReadPath(fields),
            Secure = fields.Boolean("secure") ?? false,
        },
        new DestinationSecrets { Password = fields.String("password", required: true) });

    private static (Destination, DestinationSecrets) ReadSftp(Fields fields)
    {
        var hasPassword = fields.Has("password");
        var hasSavedKey = fields.Has("savedKey");
        if (hasPassword && hasSavedKey)
        {
            const string both = "destination.password and destination.savedKey are both given: give exactly one of them.";
            fields.AddMessage("password", both);
            fields.AddMessage("savedKey", both);
        }
        else if (!hasPassword && !hasSavedKey)
        {
            fields.AddMessage("password",
                "SFTP needs destination.password or destination.savedKey (the name of a key held by the service): give exactly one of them.");
        }

        return (
            new Destination
            {
                Type = DestinationType.Sftp,
                Server = fields.String("server", required: true, ServerProblem),
                Port = fields.Port(),
                Username = fields.String("username", required: true, UsernameProblem),
                SavedKey = fields.String("savedKey", rule: SavedKeyProblem),
                HostKeyFingerprint = fields.String("hostKeyFingerprint", rule: FingerprintProblem),
                Path = ReadPath(fields),
            },
            new DestinationSecrets { Password = fields.String("password") });
    }

    private static (Destination, DestinationSecrets) ReadS3(Fields fields) =>
    (
        new Destination
        {
            Type = DestinationType.S3,
            AwsBucket = fields.String("aws_bucket", required: true, BucketProblem),
            AwsRegion = fields.String("aws_region", required: true, RegionProblem),
            Path = ReadPath(fields),
        },
        new DestinationSecrets
        {
            AwsAccessKeyId = fields.String("aws_access_key_id", required: true),
            AwsSecretAccessKey = fields.String("aws_secret_access_key", required: true),
        });

    private static (Destination, DestinationSecrets) ReadGcs(Fields fields) =>
    (
        new Destination
        {
            Type = DestinationType.Gcs,
            GcsBucket = fields.String("gcs_bucket", required: true, BucketProblem),
            Path = ReadPath(fields),
        },
        DestinationSecrets.None);

    private static string? ReadPath(Fields fields) =>
        fields.String("path", rule: PathProblem, allowEmpty: true) is { Length: > 0 } path ? path : null;

    private (DateOnly First, DateOnly Last)? ReadTimeframe(Fields body)
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

    private static DateOnly? ReadDate(Fields body, string property)
    {
        var text = body.String(property, required: true, value => TryParseDate(value, out _)
            ? null
            : "must be a date written as yyyy-MM-dd, such as 2021-08-17.");
        return text is not null && TryParseDate(text, out var date) ? date : null;
    }

    private static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private List<string>? ReadAudiences(Fields body)
    {
        if (!body.TryGet("audiences", required: true, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            body.Add("audiences", "must be an array of audience names, such as [\"audience1\", \"audience2\"].");
            return null;
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            body.Add("audiences", "must name at least one audience.");
            return null;
        }

        if (count > _limits.MaxAudiences)
        {
            // Not checking each name here keeps a huge body from producing a huge error response.
            body.Add("audiences", string.Create(CultureInfo.InvariantCulture,
                $"names {count} audiences; at most {_limits.MaxAudiences} can be exported at once."));
            return null;
        }

        var audiences = new List<string>(count);
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"audiences[{index}]");
            var audience = item.ValueKind == JsonValueKind.String ? item.GetString()! : null;
            var problem = audience is null ? "must be a string." : AudienceProblem(audience);
            if (audience is not null && problem is null && !firstIndexOf.TryAdd(audience, index))
            {
                problem = string.Create(CultureInfo.InvariantCulture,
                    $"duplicates audiences[{firstIndexOf[audience]}]: name each audience once.");
            }

            if (problem is null)
            {
                audiences.Add(audience!);
            }
            else
            {
                body.Errors.Add(path, $"{path} {problem}");
            }

            index++;
        }

        return audiences;
    }

    // Rules: each returns what is wrong, phrased to follow the field's path ("destination.port must be ..."), or null.

    private static string? NameProblem(string name) =>
        name.Length > MaxNameLength ? $"must be at most {MaxNameLength} characters long."
        : name.AsSpan().ContainsAnyExcept(NameChars) ? "may only contain letters (A-Z, a-z), digits and dashes: it becomes the file name."
        : null;

    private static string? ServerProblem(string server)
    {
        if (server.Length > MaxServerLength)
        {
            return $"must be at most {MaxServerLength} characters long.";
        }

        if (server.Contains("://", StringComparison.Ordinal))
        {
            return "must be a host name or IP address without a scheme: leave out \"sftp://\" or \"ftp://\".";
        }

        if (server.Contains('/'))
        {
            return "must be a host name or IP address without a path: put the folder in destination.path.";
        }

        if (server.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "must not contain spaces or control characters.";
        }

        if (IsHostName(server) || IsIPv6Literal(server))
        {
            return null;
        }

        return server.Contains(':')
            ? "must not include a port: put it in destination.port."
            : "must be a host name (such as sftp.example.com) or an IP address.";
    }

    // IPv4 literals pass as host names; labels allow '_' because internal DNS names use it.
    private static bool IsHostName(string server) =>
        server.Split('.').All(label => label.Length is >= 1 and <= 63 && !label.AsSpan().ContainsAnyExcept(HostLabelChars));

    private static bool IsIPv6Literal(string server)
    {
        var inner = server.StartsWith('[') && server.EndsWith(']') ? server[1..^1] : server;
        // IPAddress.TryParse accepts "[::1]:22" and drops the port; a port belongs in destination.port.
        return inner.Contains(':') && !inner.Contains('[') && !inner.Contains(']')
            && IPAddress.TryParse(inner, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static string? UsernameProblem(string username) =>
        username.Length > MaxUsernameLength ? $"must be at most {MaxUsernameLength} characters long."
        : HasControlCharacters(username) ? "must not contain control characters."
        : null;

    private static string? SavedKeyProblem(string savedKey) =>
        savedKey.Length > MaxSavedKeyLength || savedKey.AsSpan().ContainsAnyExcept(SavedKeyChars)
            ? $"must be the name of a key held by the service: 1 to {MaxSavedKeyLength} letters, digits, dashes or underscores."
            : null;

    private static string? FingerprintProblem(string fingerprint) =>
        fingerprint.StartsWith(FingerprintPrefix, StringComparison.Ordinal)
        && fingerprint.Length == FingerprintPrefix.Length + FingerprintBase64Length
        && !fingerprint.AsSpan(FingerprintPrefix.Length).ContainsAnyExcept(Base64Chars)
            ? null
            : $"must be \"{FingerprintPrefix}\" followed by {FingerprintBase64Length} base64 characters without padding, as \"ssh-keygen -lf <key> -E sha256\" prints it.";

    private static string? PathProblem(string path) =>
        path.Length > MaxPathLength ? $"must be at most {MaxPathLength} characters long."
        : HasControlCharacters(path) ? "must not contain control characters."
        : path.Split('/', '\\').Contains("..") ? "must not contain a \"..\" segment."
        : null;

    private static string? BucketProblem(string bucket) =>
        bucket.Length is < 3 or > 222 || bucket.AsSpan().ContainsAnyExcept(BucketChars)
            ? "must be a bucket name: 3 to 222 letters, digits, dots, dashes or underscores."
            : null;

    private static string? RegionProblem(string region) =>
        region.Length is < 2 or > 32 || region.AsSpan().ContainsAnyExcept(RegionChars)
            ? "must be an AWS region name such as us-west-2 (lower-case letters, digits and dashes)."
            : null;

    private static string? AudienceProblem(string audience) =>
        string.IsNullOrWhiteSpace(audience) ? "must not be blank."
        : audience.Length > MaxAudienceLength ? $"must be at most {MaxAudienceLength} characters long."
        : HasControlCharacters(audience) ? "must not contain control characters."
        : null;

    private static bool HasControlCharacters(string value) => value.Any(char.IsControl);

    /// <summary>The properties of one JSON object, found by exact name; problems are reported under prefix + name.</summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
        private readonly HashSet<string> _repeated = new(StringComparer.Ordinal);
        private readonly string _prefix;

        public Fields(JsonElement element, string prefix, RequestErrors errors)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!_properties.TryAdd(property.Name, property.Value))
                {
                    _repeated.Add(property.Name);
                }
            }

            _prefix = prefix;
            Errors = errors;
        }

        public RequestErrors Errors { get; }

        /// <summary>Adds "path problem", so every message names its field.</summary>
        public void Add(string property, string problem) => AddMessage(property, $"{_prefix}{property} {problem}");

        public void AddMessage(string property, string message) => Errors.Add(_prefix + property, message);

        /// <summary>Given and not null (JSON null counts as absent, like a missing property).</summary>
        public bool Has(string property) =>
            _properties.TryGetValue(property, out var value) && value.ValueKind != JsonValueKind.Null;

        public bool TryGet(string property, bool required, out JsonElement value)
        {
            if (_repeated.Contains(property))
            {
                // Which of two values a server uses differs between parsers; refusing is the only safe reading.
                Add(property, "is given more than once: give it once.");
                value = default;
                return false;
            }

            if (!_properties.TryGetValue(property, out value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    Add(property, "is required.");
                }

                return false;
            }

            return true;
        }

        public string? String(string property, bool required = false, Func<string, string?>? rule = null, bool allowEmpty = false)
        {
            if (!TryGet(property, required, out var element))
            {
                return null;
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                Add(property, "must be a string.");
                return null;
            }

            var value = element.GetString()!;
            var problem = value.Length == 0 && !allowEmpty ? "must not be empty." : rule?.Invoke(value);
            if (problem is not null)
            {
                Add(property, problem);
                return null;
            }

            return value;
        }

        /// <summary>The reference table says number, its own example sends "21": both are accepted.</summary>
        public int? Port()
        {
            if (!TryGet("port", required: true, out var element))
            {
                return null;
            }

            int? port = element.ValueKind switch
            {
                JsonValueKind.Number when element.TryGetDecimal(out var number) && number == decimal.Truncate(number)
                    && number is >= 1 and <= 65535 => (int)number,
                JsonValueKind.String when int.TryParse(element.GetString().AsSpan().Trim(), NumberStyles.None,
                    CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535 => number,
                _ => null,
            };
            if (port is null)
            {
                Add("port", "must be a whole number between 1 and 65535, given as a number or a numeric string.");
            }

            return port;
        }

        public bool? Boolean(string property)
        {
            if (!TryGet(property, required: false, out var element))
            {
                return null;
            }

            bool? value = element.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when bool.TryParse(element.GetString(), out var parsed) => parsed,
                _ => null,
            };
            if (value is null)
            {
                Add(property, "must be true or false.");
            }

            return value;
        }
    }
}
