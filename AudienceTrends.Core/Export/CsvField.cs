using System.Buffers;
using System.Text;

namespace AudienceTrends.Core.Export;

/// <summary>
/// One text field of the export, as RFC 4180 wants it: quoted, with quotes doubled, when it holds a comma, a quote,
/// CR or LF. Names come from the database, so a name a spreadsheet would run as a formula is neutralised as the OWASP
/// CSV-injection guidance says: a leading apostrophe, and quotes around the field.
/// </summary>
internal static class CsvField
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>
    /// Characters that start a formula or a DDE call (<c>=cmd|' /C calc'!A0</c>) in spreadsheets, with their
    /// full-width forms, which some spreadsheets fold to the ASCII ones.
    /// </summary>
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@|\uFF1D\uFF0B\uFF0D\uFF20\uFF5C");

    /// <summary>The most bytes <see cref="Write"/> can take for <paramref name="text"/>.</summary>
    public static int MaxBytes(string text) => (Encoding.UTF8.GetMaxByteCount(text.Length) * 2) + 3;

    /// <summary>
    /// True when a spreadsheet could read <paramref name="text"/> as a formula: it starts with tab or CR, or its first
    /// visible character (after any white space, which spreadsheets skip) is a formula character.
    /// </summary>
    public static bool LooksLikeFormula(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[0] is '\t' or '\r')
        {
            return true;
        }

        var start = 0;
        while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] is '\u200B' or '\uFEFF'))
        {
            start++;
        }

        return start < text.Length && FormulaStart.Contains(text[start]);
    }

    /// <summary>Writes the field (invalid UTF-16 as U+FFFD) and returns its length in bytes.</summary>
    public static int Write(string text, Span<byte> destination)
    {
        var formula = LooksLikeFormula(text);
        if (!formula && !text.AsSpan().ContainsAny(NeedsQuotes))
        {
            return Encoding.UTF8.GetBytes(text, destination);
        }

        var at = 0;
        destination[at++] = (byte)'"';
        if (formula)
        {
            destination[at++] = (byte)'\'';
        }

        var rest = text.AsSpan();
        while (rest.IndexOf('"') is var quote and >= 0)
        {
            at += Encoding.UTF8.GetBytes(rest[..(quote + 1)], destination[at..]);
            destination[at++] = (byte)'"';
            rest = rest[(quote + 1)..];
        }

        at += Encoding.UTF8.GetBytes(rest, destination[at..]);
        destination[at++] = (byte)'"';
        return at;
    }
}
