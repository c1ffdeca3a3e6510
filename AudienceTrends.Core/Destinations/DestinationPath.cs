using AudienceTrends.Core.Export;
using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// The request's <c>destination.path</c>, for every kind: reading and checking it, and turning it into segments.
/// File servers and object stores split it slightly differently (see each method); both drop leading, trailing
/// and doubled slashes, so <c>/folder/</c> and <c>//folder//</c> both mean <c>folder</c>.
/// </summary>
public static class DestinationPath
{
    public const string Field = "path";

    private const int MaxLength = 1024;

    /// <summary>The path, or null when absent or empty.</summary>
    public static string? Read(JsonFields fields) =>
        fields.String(Field, rule: Problem, allowEmpty: true) is { Length: > 0 } path ? path : null;

    /// <summary>A folder on an FTP/SFTP server, relative to the login folder: segments trimmed, <c>.</c> dropped.</summary>
    public static IReadOnlyList<string> FolderSegments(string? path) =>
        (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s != ".")
            .ToList();

    /// <summary>An object-store prefix (S3, GCS): segments kept as written.</summary>
    public static string ObjectPrefix(string? path) =>
        string.Join('/', (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries));

    /// <summary><c>prefix/fileName</c> (see <see cref="ObjectPrefix"/>), or the file name alone under an empty prefix.</summary>
    public static string ObjectName(string? path, string fileName) =>
        ObjectPrefix(path) is { Length: > 0 } prefix ? $"{prefix}/{fileName}" : fileName;

    /// <summary>
    /// An object's whole name (S3, Azure Blob): a path ending in the file's extension (<c>.csv</c>) is the name itself,
    /// anything else is a folder for the file (see <see cref="ObjectName"/>).
    /// </summary>
    public static string ObjectKey(string? path, ExportFile file) =>
        ObjectPrefix(path) is { Length: > 0 } prefix && path!.EndsWith(file.Extension, StringComparison.OrdinalIgnoreCase)
            ? prefix
            : ObjectName(path, file.Name);

    private static string? Problem(string path) =>
        path.Length > MaxLength ? $"must be at most {MaxLength} characters long."
        : FieldRules.HasControlCharacters(path) ? "must not contain control characters."
        : path.Split('/', '\\').Contains("..") ? "must not contain a \"..\" segment."
        : null;
}
