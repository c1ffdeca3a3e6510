using System.Text.Json;

namespace AudienceTrends.LocalHost;

/// <summary>
/// local.settings.json as <c>func</c> reads it: <c>Values</c> become app settings (a <c>__</c> in a name is a
/// configuration section separator, so <c>Jobs__QueueName</c> is <c>Jobs:QueueName</c>, which is what
/// <c>%Jobs:QueueName%</c> in a binding resolves), <c>Host.LocalHttpPort</c> is the HTTP port.
/// </summary>
public sealed record LocalSettings(IReadOnlyDictionary<string, string?> Values, int? LocalHttpPort)
{
    public const string FileName = "local.settings.json";

    public static LocalSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} is missing: copy local.settings.sample.json to local.settings.json at the repository root and build again.", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var values = root.TryGetProperty("Values", out var v)
            ? v.EnumerateObject().ToDictionary(
                p => p.Name.Replace("__", ":", StringComparison.Ordinal),
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())
            : [];
        int? port = root.TryGetProperty("Host", out var host) && host.TryGetProperty("LocalHttpPort", out var p) && p.TryGetInt32(out var number)
            ? number
            : null;
        return new LocalSettings(values, port);
    }
}
