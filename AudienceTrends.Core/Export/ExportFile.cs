namespace AudienceTrends.Core.Export;

/// <summary>
/// The delivered file's name and content type, decided here only: every destination writes what this says, so a
/// different format (a compressed file, say) changes it in one place.
/// </summary>
public sealed record ExportFile(string Name, string ContentType)
{
    private const string CsvExtension = ".csv";
    private const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>The file of an export named <paramref name="exportName"/>: <c>&lt;name&gt;.csv</c>.</summary>
    public static ExportFile For(string exportName) => new(exportName + CsvExtension, CsvContentType);

    /// <summary>The file name's extension, with its dot (<c>.csv</c>).</summary>
    public string Extension => System.IO.Path.GetExtension(Name);
}
