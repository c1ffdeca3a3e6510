using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace AudienceTrends.Functions.Ui;

/// <summary>
/// The Jobs page's static files (Ui/wwwroot, embedded in this assembly at build: no CDN, nothing fetched at run time),
/// each with its content type and a strong ETag from its bytes. A path that names no file is a page of the app
/// (<c>/ui/jobs/{id}</c>, <c>/ui/new</c>): it gets <c>index.html</c>, whose script reads the path.
/// </summary>
public static class UiFiles
{
    public const string Index = "index.html";

    private const string ResourcePrefix = "ui/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, UiFile> Files = Load();

    /// <summary>The file at <paramref name="path"/> (relative to <c>/ui/</c>), or index.html for an app page; null for a missing asset.</summary>
    public static UiFile? Find(string? path)
    {
        var relative = (path ?? "").Trim('/');
        if (Files.TryGetValue(relative, out var file))
        {
            return file;
        }

        // A missing script, style or image is a 404, not the page (a typo in a file name would otherwise load HTML as script).
        return Path.HasExtension(relative) ? null : Files[Index];
    }

    /// <summary>The names of every embedded file, for tests.</summary>
    public static IEnumerable<string> Names => Files.Keys;

    private static FrozenDictionary<string, UiFile> Load()
    {
        var assembly = typeof(UiFiles).Assembly;
        var files = new Dictionary<string, UiFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var relative = name[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(relative), out var contentType))
            {
                throw new InvalidOperationException($"The embedded UI file {relative} has no known content type.");
            }

            files[relative] = new UiFile(relative, contentType, Read(assembly, name));
        }

        return files.ContainsKey(Index)
            ? files.ToFrozenDictionary(StringComparer.Ordinal)
            : throw new InvalidOperationException("The UI's index.html is not embedded in the Functions assembly.");
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>One static file: its bytes, content type and ETag (a hash of the bytes, quoted).</summary>
public sealed record UiFile(string Name, string ContentType, byte[] Content)
{
    public string ETag { get; } = $"\"{Convert.ToHexStringLower(SHA256.HashData(Content))[..32]}\"";
}
