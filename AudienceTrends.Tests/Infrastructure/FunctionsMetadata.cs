using System.Text.Json;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>The <c>functions.metadata</c> the Functions SDK writes at build time: what the host reads to bind functions.</summary>
public sealed record FunctionMetadata(string Name, string EntryPoint, IReadOnlyList<BindingMetadata> Bindings)
{
    public BindingMetadata Trigger => Bindings.Single(b => b.Direction == "In" && b.Type.EndsWith("Trigger", StringComparison.Ordinal));

    public static IReadOnlyList<FunctionMetadata> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray().Select(f => new FunctionMetadata(
            f.GetProperty("name").GetString()!,
            f.GetProperty("entryPoint").GetString()!,
            f.GetProperty("bindings").EnumerateArray().Select(BindingMetadata.From).ToList())).ToList();
    }
}

public sealed record BindingMetadata(
    string Name, string Type, string Direction, string? Route, IReadOnlyList<string> Methods, string? AuthLevel,
    string? QueueName, string? Connection, string? Schedule)
{
    internal static BindingMetadata From(JsonElement b)
    {
        string? Text(string name) => b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var methods = b.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList()
            : [];
        return new BindingMetadata(Text("name")!, Text("type")!, Text("direction")!, Text("route"), methods, Text("authLevel"),
            Text("queueName"), Text("connection"), Text("schedule"));
    }
}
