using System.Text;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// OWASP's CSV-injection guidance: any field a spreadsheet could run as a formula is quoted and starts with an
/// apostrophe, including forms that slip past a first-character check (white space first, full-width signs, DDE pipes).
/// </summary>
public class CsvFieldTests
{
    [TestCase("=1+2", "\"'=1+2\"")]
    [TestCase(" =1+2", "\"' =1+2\"")]
    [TestCase("  \t+SUM(A1)", "\"'  \t+SUM(A1)\"")]
    [TestCase("\u00A0@SUM(A1)", "\"'\u00A0@SUM(A1)\"")]
    [TestCase("\u3000-1", "\"'\u3000-1\"")]
    [TestCase("\u200B=x", "\"'\u200B=x\"")]
    [TestCase("＝1+2", "\"'＝1+2\"")]
    [TestCase("＋1", "\"'＋1\"")]
    [TestCase("－1", "\"'－1\"")]
    [TestCase("＠SUM(A1)", "\"'＠SUM(A1)\"")]
    [TestCase("|calc", "\"'|calc\"")]
    [TestCase("｜calc", "\"'｜calc\"")]
    [TestCase("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"")]
    [TestCase("\tindented", "\"'\tindented\"")]
    [TestCase("\rreturn", "\"'\rreturn\"")]
    [TestCase("=\"x\"", "\"'=\"\"x\"\"\"")]
    public void A_name_a_spreadsheet_could_run_is_quoted_behind_an_apostrophe(string name, string expected)
    {
        Assert.That(Written(name), Is.EqualTo(expected));
    }

    [TestCase("plain", "plain")]
    [TestCase(" padded ", " padded ")]
    [TestCase("a=b", "a=b")]
    [TestCase("pipe|inside", "pipe|inside")]
    [TestCase("'already", "'already")]
    [TestCase("", "")]
    [TestCase("   ", "   ")]
    [TestCase("comma, inside", "\"comma, inside\"")]
    [TestCase("\nnewline", "\"\nnewline\"")]
    public void Other_names_are_written_as_they_are_or_only_quoted(string name, string expected)
    {
        Assert.That(Written(name), Is.EqualTo(expected));
    }

    private static string Written(string name)
    {
        var buffer = new byte[CsvField.MaxBytes(name)];
        return Encoding.UTF8.GetString(buffer, 0, CsvField.Write(name, buffer));
    }
}
