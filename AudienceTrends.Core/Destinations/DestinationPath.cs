using System.Buffers;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// The request's <c>destination.path</c>, for every kind: one normal form, checked at intake and again before any
/// delivery uses it. Leading, trailing and doubled slashes are dropped and <c>.</c> segments too, so <c>/folder/</c>,
/// <c>//folder//</c> and <c>./folder</c> all mean <c>folder</c>. Refused: <c>..</c> segments, segments that are blank or
/// start or end with spaces (<c>" .. "</c> would otherwise be trimmed into <c>..</c> by some server or client),
/// segments starting with <c>~</c> (FTP servers with tilde expansion read <c>~user</c> as another user's home folder),
/// backslashes, percent-encoded characters (<c>%2e%2e</c>) and control characters.
/// </summary>
public static class DestinationPath
{
    public const string Field = "path";

    private const int MaxLength = 1024;
    private static readonly SearchValues<char> HexDigits = SearchValues.Create(FieldRules.Digits + "ABCDEFabcdef");

    /// <summary>The path, or null when absent or empty.</summary>
    public static string? Read(JsonFields fields) =>
        fields.String(Field, rule: path => Normalize(path).Problem, allowEmpty: true) is { Length: > 0 } path ? path : null;

    /// <summary>A folder on an FTP/SFTP server, relative to the login folder.</summary>
    public static IReadOnlyList<string> FolderSegments(string? path) => Segments(path);

    /// <summary>An object-store prefix (S3, GCS): the segments joined with <c>/</c>.</summary>
    public static string ObjectPrefix(string? path) => string.Join('/', Segments(path));

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

    /// <summary>
    /// The normal form's segments. A stored path that breaks the rules (a row written before they existed) fails
    /// the delivery for good rather than reach a server.
    /// </summary>
    private static IReadOnlyList<string> Segments(string? path)
    {
        var (segments, problem) = Normalize(path ?? "");
        return problem is null
            ? segments
            : throw new ExportFailedException(ErrorCodes.DestinationRejected, $"The destination path {problem}");
    }

    /// <summary>The path's segments, or what is wrong with it (phrased to follow "destination.path").</summary>
    public static (IReadOnlyList<string> Segments, string? Problem) Normalize(string path)
    {
        var problem = path.Length > MaxLength ? $"must be at most {MaxLength} characters long."
            : FieldRules.ControlCharacters(path) is { } control ? control
            : path.Contains('\\') ? "must separate folders with \"/\", not \"\\\"."
            : HasPercentEncoding(path) ? "must not contain percent-encoded characters (such as %2e): write them as they are."
            : null;
        if (problem is not null)
        {
            return ([], problem);
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.IsNullOrWhiteSpace(segment))
            {
                return ([], "must not contain a blank segment between slashes.");
            }

            if (segment.Trim() != segment)
            {
                return ([], "must not have segments that start or end with spaces.");
            }

            if (segment == "..")
            {
                return ([], "must not contain a \"..\" segment.");
            }

            if (segment.StartsWith('~'))
            {
                return ([], "must not have a segment starting with \"~\" (a server may read it as a user's home folder).");
            }

            if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return (segments, null);
    }

    private static bool HasPercentEncoding(string path)
    {
        for (var i = path.IndexOf('%'); i >= 0 && i + 2 < path.Length; i = path.IndexOf('%', i + 1))
        {
            if (HexDigits.Contains(path[i + 1]) && HexDigits.Contains(path[i + 2]))
            {
                return true;
            }
        }

        return false;
    }
}
