using System.Globalization;
using System.Text.Json;

namespace AudienceTrends.Core.Common;

/// <summary>
/// The properties of one JSON object of a request, found by exact name; every problem is reported under the JSON path
/// <c>prefix + name</c> (<c>destination.port</c>) with a message that names the field and never quotes its value.
/// </summary>
public sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repeated = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private int _problems;

    public JsonFields(JsonElement element, string prefix, RequestErrors errors)
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

    /// <summary>Whether a problem was reported through this object (not through its parent or siblings).</summary>
    public bool HasProblems => _problems > 0;

    /// <summary>The fields of the object in property <paramref name="property"/>, reported under <c>path.property.</c>.</summary>
    public JsonFields Nested(JsonElement element, string property) => new(element, _prefix + property + ".", Errors);

    /// <summary>Adds "path problem", so every message names its field.</summary>
    public void Add(string property, string problem) => AddMessage(property, $"{_prefix}{property} {problem}");

    public void AddMessage(string property, string message)
    {
        _problems++;
        Errors.Add(_prefix + property, message);
    }

    /// <summary>The JSON path of <paramref name="property"/>, for messages that name another field.</summary>
    public string PathOf(string property) => _prefix + property;

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

    /// <summary>A string; control characters and line breaks are refused in every one (<see cref="FieldRules.ControlCharacters"/>).</summary>
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
        var problem = value.Length == 0 && !allowEmpty ? "must not be empty."
            : FieldRules.ControlCharacters(value) ?? rule?.Invoke(value);
        if (problem is not null)
        {
            Add(property, problem);
            return null;
        }

        return value;
    }

    /// <summary>A required port. The reference table says number, its own example sends "21": both are accepted.</summary>
    public int? Port(string property)
    {
        if (!TryGet(property, required: true, out var element))
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
            Add(property, "must be a whole number between 1 and 65535, given as a number or a numeric string.");
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
