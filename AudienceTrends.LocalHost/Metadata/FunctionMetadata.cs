using System.Reflection;
using System.Text.Json;

namespace AudienceTrends.LocalHost.Metadata;

/// <summary>
/// One function of the <c>functions.metadata</c> file the Functions SDK writes at build time: what the Functions host
/// reads to know the app's functions, their entry points and their bindings.
/// </summary>
public sealed record FunctionMetadata(string Name, string ScriptFile, string EntryPoint, IReadOnlyList<BindingMetadata> Bindings)
{
    public const string FileName = "functions.metadata";

    public BindingMetadata Trigger => Bindings.Single(b => b.Direction == "In" && b.Type.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>The host's name for the function in its logs: <c>Functions.Name</c>.</summary>
    public string LogName => "Functions." + Name;

    /// <summary>Reads functions.metadata from <paramref name="directory"/> (default: this program's own folder).</summary>
    public static IReadOnlyList<FunctionMetadata> Load(string? directory = null)
    {
        var path = Path.Combine(directory ?? AppContext.BaseDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build AudienceTrends.Functions (the Functions SDK writes it).", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray().Select(f => new FunctionMetadata(
            f.GetProperty("name").GetString()!,
            f.GetProperty("scriptFile").GetString()!,
            f.GetProperty("entryPoint").GetString()!,
            f.GetProperty("bindings").EnumerateArray().Select(BindingMetadata.From).ToList())).ToList();
    }

    /// <summary>The public instance method the entry point names, in the assembly <c>scriptFile</c> names.</summary>
    public MethodInfo ResolveMethod()
    {
        var split = EntryPoint.LastIndexOf('.');
        var assembly = Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(ScriptFile)));
        var type = assembly.GetType(EntryPoint[..split], throwOnError: true)!;
        return type.GetMethod(EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{Name}: {EntryPoint} is not a public instance method.");
    }
}

public sealed record BindingMetadata(
    string Name, string Type, string Direction, string? Route, IReadOnlyList<string> Methods, string? AuthLevel,
    string? QueueName, string? Connection, string? Schedule, bool RunOnStartup)
{
    public static BindingMetadata From(JsonElement b)
    {
        string? Text(string name) => b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var methods = b.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList()
            : [];
        var runOnStartup = b.TryGetProperty("runOnStartup", out var r) && r.ValueKind == JsonValueKind.True;
        return new BindingMetadata(Text("name")!, Text("type")!, Text("direction")!, Text("route"), methods, Text("authLevel"),
            Text("queueName"), Text("connection"), Text("schedule"), runOnStartup);
    }
}
