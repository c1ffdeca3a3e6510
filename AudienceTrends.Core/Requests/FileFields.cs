using AudienceTrends.Core.Export.Formats;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// The request's file fields: <c>exportType</c> (<c>csv</c>, the default, <c>jsonl</c> or <c>parquet</c>),
/// <c>layout</c> (<c>wide</c> or <c>long</c>; the format's default when absent, <see cref="ExportLayout.DefaultFor"/>)
/// and <c>compression</c> (<c>none</c>, the default, or <c>gzip</c>), each in any case; a combination the format
/// cannot write (parquet wide, parquet gzip) is refused under the field that cannot be honoured.
/// </summary>
public static class FileFields
{
    public const string ExportType = "exportType";
    public const string Layout = "layout";
    public const string Compression = "compression";

    /// <summary>The three values, lower case, or null when any is refused; each problem is under its field.</summary>
    public static (string ExportType, string Layout, string Compression)? Read(JsonFields body)
    {
        var format = OneOf(body, ExportType, ExportFile.Formats, "must be \"csv\", \"jsonl\" or \"parquet\".");
        var layout = OneOf(body, Layout, ExportLayout.All, "must be \"wide\" or \"long\".");
        var compression = OneOf(body, Compression, ExportFile.Compressions, "must be \"none\" or \"gzip\".");
        if (format.Refused || layout.Refused || compression.Refused)
        {
            return null;
        }

        var exportType = format.Value ?? ExportFile.Csv;
        var chosenLayout = layout.Value ?? ExportLayout.DefaultFor(exportType);
        var chosenCompression = compression.Value ?? ExportFile.None;
        var refused = false;
        if (ExportLayout.Refusal(exportType, chosenLayout) is { } layoutProblem)
        {
            body.Add(Layout, layoutProblem);
            refused = true;
        }

        if (ExportLayout.CompressionRefusal(exportType, chosenCompression) is { } compressionProblem)
        {
            body.Add(Compression, compressionProblem);
            refused = true;
        }

        return refused ? null : (exportType, chosenLayout, chosenCompression);
    }

    /// <summary>The field's value in lower case (null when absent), or refused when it is not one of <paramref name="values"/>.</summary>
    private static (string? Value, bool Refused) OneOf(JsonFields body, string field, IReadOnlyList<string> values, string problem)
    {
        // Null with the field given: its problem (not a string, not one of the values, given twice) was added.
        var text = body.String(field, rule: value => values.Contains(value.ToLowerInvariant()) ? null : problem);
        return text is null ? (null, body.Has(field)) : (text.ToLowerInvariant(), false);
    }
}
