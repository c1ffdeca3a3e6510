using System.Text;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// SQLite's hot loop reads through SQLite's C API instead of the data reader: the values the data reader path gives
/// must come out the same, byte for byte, at the edges of what a count and a day can be.
/// </summary>
public class SqliteTrendReaderTests
{
    /// <summary>The contract's tables without its constraints: what a user's own database may hold.</summary>
    private const string LooseSchema =
        "CREATE TABLE audience (account_id TEXT, name TEXT, PRIMARY KEY (account_id, name));" +
        "CREATE TABLE audience_daily_size (account_id TEXT, audience_name TEXT, day TEXT, contact_count INTEGER);";

    private static readonly DateOnly First = new(2024, 2, 27);

    [TestCase(true)]
    [TestCase(false)]
    public async Task Extreme_negative_zero_and_text_counts_read_as_the_data_reader_reads_them(bool statementPerAudience)
    {
        using var database = SqliteTestDatabase.Create(LooseSchema);
        database.Insert(["edges", "zero then gap"], []);
        database.Execute(
            "INSERT INTO audience_daily_size VALUES " +
            "('demo', 'edges', '2024-02-27', 9223372036854775807), ('demo', 'edges', '2024-02-28', -9223372036854775808), " +
            "('demo', 'edges', '2024-02-29', 0), ('demo', 'edges', '2024-03-01', -1), ('demo', 'edges', '2024-03-02', '42'), " +
            "('demo', 'zero then gap', '2024-02-27', 0), ('demo', 'zero then gap', '2024-03-02', 0), " +
            "('demo', 'edges', '2024-02-26', 5), ('demo', 'edges', '2024-03-03', 6)"); // outside the timeframe

        var bytes = await ExpectedCsv.ExportAsync(
            database.Source(statementPerAudience: statementPerAudience), ["edges", "zero then gap", "edges"], First, First.AddDays(4));

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(
            "audience,2024-02-27,2024-02-28,2024-02-29,2024-03-01,2024-03-02\r\n" +
            "edges,9223372036854775807,-9223372036854775808,0,-1,42\r\n" +
            "zero then gap,0,,,,0\r\n" +
            "edges,9223372036854775807,-9223372036854775808,0,-1,42\r\n"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_null_count_after_a_zero_still_fails_naming_the_column(bool statementPerAudience)
    {
        using var database = SqliteTestDatabase.Create(LooseSchema);
        database.Insert(["b"], []);
        database.Execute("INSERT INTO audience_daily_size VALUES ('demo', 'b', '2024-02-27', 0), ('demo', 'b', '2024-02-28', NULL)");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ExpectedCsv.ExportAsync(
            database.Source(statementPerAudience: statementPerAudience), ["b"], First, First.AddDays(1)));

        Assert.That(error!.Message, Is.EqualTo(
            "audience_daily_size.contact_count is NULL for audience 'b'; the SQL contract requires a count on every row."));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_row_with_a_null_day_is_not_a_figure(bool statementPerAudience)
    {
        using var database = SqliteTestDatabase.Create(LooseSchema);
        database.Insert(["c"], []);

        // BETWEEN never matches NULL, so a NULL day is not read at all: the audience simply has no figure that day.
        database.Execute("INSERT INTO audience_daily_size VALUES ('demo', 'c', NULL, 3), ('demo', 'c', '2024-02-27', 4)");

        var bytes = await ExpectedCsv.ExportAsync(
            database.Source(statementPerAudience: statementPerAudience), ["c"], First, First.AddDays(1));

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo("audience,2024-02-27,2024-02-28\r\nc,4,\r\n"));
    }

    [TestCase("2024-02-29", 738944)]
    [TestCase("0001-01-01", 0)]
    [TestCase("9999-12-31", 3652058)]
    public void An_iso_day_parses_to_its_day_number_from_bytes_and_from_text(string text, int dayNumber)
    {
        Assert.That(SqliteTrendReader.ParseIsoDayNumber(Encoding.UTF8.GetBytes(text)), Is.EqualTo(dayNumber));
        Assert.That(SqliteTrendReader.ParseIsoDayNumber(text.AsSpan()), Is.EqualTo(dayNumber));
        Assert.That(DateOnly.FromDayNumber(dayNumber).ToString("yyyy-MM-dd", null), Is.EqualTo(text));
    }

    [TestCase("2023-02-29")]
    [TestCase("2024-13-01")]
    [TestCase("2024-00-10")]
    [TestCase("2024-04-31")]
    [TestCase("0000-01-01")]
    [TestCase("2024-1-011")]
    [TestCase("2024/01/01")]
    [TestCase("2024-01-01 ")]
    [TestCase("")]
    [TestCase("２０２４-01-01")] // full-width digits
    [TestCase("٢٠٢٤-01-01")] // Arabic-Indic digits
    public void Anything_but_a_valid_iso_day_is_refused_with_the_text_in_the_message(string text)
    {
        var fromBytes = Assert.Throws<InvalidDataException>(() => SqliteTrendReader.ParseIsoDayNumber(Encoding.UTF8.GetBytes(text)));
        var fromText = Assert.Throws<InvalidDataException>(() => SqliteTrendReader.ParseIsoDayNumber(text.AsSpan()));

        var expected = $"audience_daily_size.day '{text}' is not a yyyy-MM-dd date, as the SQL contract requires on SQLite.";
        Assert.That(fromBytes!.Message, Is.EqualTo(expected));
        Assert.That(fromText!.Message, Is.EqualTo(expected));
    }
}
