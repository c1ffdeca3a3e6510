using System.Buffers;

namespace AudienceTrends.Core.Common;

/// <summary>
/// Rules for request fields that more than one reader uses. Each returns what is wrong, phrased to follow the field's
/// path ("destination.path must be ..."), or null when the value is fine.
/// </summary>
public static class FieldRules
{
    public const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string Digits = "0123456789";

    private const int MaxNameLength = 100;
    private const int MaxAudienceLength = 200;
    private static readonly SearchValues<char> NameChars = SearchValues.Create(Letters + Digits + "-");
    private static readonly SearchValues<char> BucketChars = SearchValues.Create(Letters + Digits + ".-_");

    public static string? Name(string name) =>
        name.Length > MaxNameLength ? $"must be at most {MaxNameLength} characters long."
        : name.AsSpan().ContainsAnyExcept(NameChars) ? "may only contain letters (A-Z, a-z), digits and dashes: it becomes the file name."
        : null;

    public static string? Audience(string audience) =>
        string.IsNullOrWhiteSpace(audience) ? "must not be blank."
        : audience.Length > MaxAudienceLength ? $"must be at most {MaxAudienceLength} characters long."
        : ControlCharacters(audience);

    /// <summary>A cloud storage bucket (S3, GCS): lenient on purpose, the store itself refuses a name it does not take.</summary>
    public static string? Bucket(string bucket) =>
        bucket.Length is < 3 or > 222 || bucket.AsSpan().ContainsAnyExcept(BucketChars)
            ? "must be a bucket name: 3 to 222 letters, digits, dots, dashes or underscores."
            : null;

    /// <summary>
    /// Every string field of a request passes this rule (see <see cref="JsonFields.String"/>): credentials, hosts,
    /// paths and names end up in protocol lines and headers (FTP commands, HTTP headers), where a line break would
    /// start a command or header of the caller's choosing.
    /// </summary>
    public static string? ControlCharacters(string value) =>
        HasControlCharacters(value) ? "must not contain control characters or line breaks." : null;

    /// <summary>C0 and C1 control characters (CR, LF, NUL, TAB, DEL ...) and the Unicode line and paragraph separators.</summary>
    public static bool HasControlCharacters(string value) =>
        value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');
}
