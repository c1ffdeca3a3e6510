using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AudienceTrends.Tests.Api;

/// <summary>
/// openapi.yaml read into JSON nodes, with just what the contract tests need: operations, <c>$ref</c> resolution,
/// and a check of a JSON value against a schema's <c>type</c>, <c>nullable</c>, <c>required</c>, <c>properties</c>,
/// <c>items</c> and <c>allOf</c>.
/// </summary>
public sealed partial class OpenApiDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private OpenApiDocument(JsonObject root) => Root = root;

    public JsonObject Root { get; }

    public static OpenApiDocument Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(RepositoryPaths.Combine("openapi.yaml"))))
        {
            yaml.Load(reader);
        }

        return new OpenApiDocument(ToJson(yaml.Documents.Single().RootNode)!.AsObject());
    }

    public IEnumerable<Operation> Operations =>
        Root["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => new Operation(path.Key, m.Key.ToUpperInvariant(), m.Value!.AsObject())));

    public Operation Operation(string method, string path) =>
        Operations.Single(o => o.Method == method && o.Path == path);

    /// <summary>The node itself, or what its <c>$ref</c> (a local <c>#/...</c> pointer) leads to, repeatedly.</summary>
    public JsonObject Resolve(JsonNode node)
    {
        var current = node.AsObject();
        for (var hops = 0; current["$ref"] is { } reference; hops++)
        {
            Assert.That(hops, Is.LessThan(20), "a $ref cycle");
            var pointer = reference.GetValue<string>();
            Assert.That(pointer, Does.StartWith("#/"), "only local references are expected");
            JsonNode? target = Root;
            foreach (var part in pointer[2..].Split('/'))
            {
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            current = target?.AsObject() ?? throw new AssertionException($"{pointer} leads nowhere");
        }

        return current;
    }

    /// <summary>Adds to <paramref name="problems"/> every way <paramref name="value"/> breaks the schema's shape.</summary>
    public void Check(JsonNode? value, JsonNode schemaNode, string path, List<string> problems)
    {
        var schema = Resolve(schemaNode);
        if (schema["oneOf"] is not null || schema["anyOf"] is not null)
        {
            // Deciding which alternative applies would need a full validator; response schemas do not use them.
            problems.Add($"{path}: the schema uses oneOf/anyOf, which this check does not follow");
            return;
        }

        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && (schema["type"] is not null || schema["properties"] is not null))
            {
                problems.Add($"{path} is null, which the schema does not allow");
            }

            return;
        }

        foreach (var part in schema["allOf"]?.AsArray() ?? [])
        {
            Check(value, part!, path, problems);
        }

        if (schema["type"]?.GetValue<string>() is { } type && !HasType(value, type))
        {
            problems.Add($"{path} should be {type} but is {value.GetValueKind()}: {value.ToJsonString()}");
            return;
        }

        if (value is JsonObject obj)
        {
            foreach (var name in (schema["required"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()))
            {
                if (!obj.ContainsKey(name))
                {
                    problems.Add($"{path}.{name} is required but missing");
                }
            }

            foreach (var (name, propertySchema) in schema["properties"]?.AsObject() ?? [])
            {
                if (obj.TryGetPropertyValue(name, out var propertyValue))
                {
                    Check(propertyValue, propertySchema!, $"{path}.{name}", problems);
                }
            }
        }

        if (value is JsonArray array && schema["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), problems);
            }
        }
    }

    /// <summary>
    /// The fields the schema requires of this particular body, as JSON paths, following the <c>oneOf</c> variant
    /// whose <c>type</c> pattern matches the body's <c>type</c>. A required choice (<c>oneOf</c> of bare
    /// <c>required</c> lists) yields the alternative the body gives, answerable under any alternative's path.
    /// </summary>
    public List<RequiredField> RequiredFields(JsonObject body, JsonNode schemaNode, string prefix = "")
    {
        var schema = Resolve(schemaNode);
        var fields = new List<RequiredField>();
        var alternatives = schema["oneOf"]?.AsArray().Select(a => a!.AsObject()).ToList() ?? [];
        if (alternatives.Count > 0 && alternatives.All(a => a.ContainsKey("$ref")))
        {
            var type = body["type"]?.GetValue<string>() ?? "";
            var matching = alternatives.Where(a => Resolve(a)["properties"]?["type"]?["pattern"]?.GetValue<string>() is { } pattern &&
                                                   Regex.IsMatch(type, pattern, RegexOptions.None, TimeSpan.FromSeconds(1))).ToList();
            Assert.That(matching, Has.Count.EqualTo(1), $"exactly one variant of {prefix.TrimEnd('.')} should accept type \"{type}\"");
            fields.AddRange(RequiredFields(body, matching[0], prefix));
        }
        else if (alternatives.Count > 0)
        {
            var names = alternatives.Select(a => a["required"]!.AsArray().Single()!.GetValue<string>()).ToList();
            var keys = names.Select(n => prefix + n).ToList();
            fields.AddRange(names.Where(body.ContainsKey).Select(n => new RequiredField(prefix + n, keys)));
        }

        foreach (var name in (schema["required"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()))
        {
            fields.Add(new RequiredField(prefix + name, [prefix + name]));
        }

        foreach (var (name, propertySchema) in schema["properties"]?.AsObject() ?? [])
        {
            if (body[name] is JsonObject child)
            {
                fields.AddRange(RequiredFields(child, propertySchema!, $"{prefix}{name}."));
            }
        }

        return fields;
    }

    private static bool HasType(JsonNode value, string type) => (type, value.GetValueKind()) switch
    {
        ("object", JsonValueKind.Object) or ("array", JsonValueKind.Array) or ("string", JsonValueKind.String) => true,
        ("number", JsonValueKind.Number) or ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("integer", JsonValueKind.Number) => value.GetValue<decimal>() == decimal.Truncate(value.GetValue<decimal>()),
        _ => false,
    };

    /// <summary>YAML to JSON with the YAML 1.2 core schema: plain scalars may be null, booleans or numbers; quoted ones are strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } plain => PlainScalar(plain.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonNode? PlainScalar(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when IntegerPattern().IsMatch(text) => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
        _ when FloatPattern().IsMatch(text) => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(text),
    };

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

public sealed record Operation(string Path, string Method, JsonObject Node)
{
    public string OperationId => Node["operationId"]!.GetValue<string>();

    public JsonObject Responses => Node["responses"]!.AsObject();

    public override string ToString() => $"{Method} {Path}";
}

/// <param name="Path">The field's JSON path in the body.</param>
/// <param name="ErrorKeys">Where the service may report it missing: its own path, or any alternative's for a choice.</param>
public sealed record RequiredField(string Path, IReadOnlyList<string> ErrorKeys);
