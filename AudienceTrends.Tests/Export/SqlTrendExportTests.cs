using System.Text;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// SQLite source + CSV writer: the bytes a user receives, compared with a CSV built by hand from the seeded rows. Run
/// with SQLite's statement per audience and with the chunked statement SQL Server gets. The database also holds
/// audiences of a second account (<see cref="TestAccounts.OtherId"/>), one of them named as one of the demo account's.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public class SqlTrendExportTests(bool statementPerAudience)
{
    private const string Header = "audience,2021-07-16,2021-07-17,2021-07-18,2021-07-19,2021-07-20\r\n";

    private static readonly DateOnly First = new(2021, 7, 16);
    private static readonly DateOnly Last = new(2021, 7, 20);

    private static readonly string[] QuotingNames = ["vip, \"gold\" tier", "say \"hi\"", "two\r\nlines", "semi;colon"];

    private static readonly string[] FormulaNames =
        ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn",
            " =1+2", "\u00A0 @SUM(A1)", "\u3000-1", "\u200B=x", "＝1+2", "＋1", "－1", "＠SUM(A1)", "|calc", "｜calc",
            "=cmd|' /C calc'!A0"];

    private SqliteTestDatabase database = null!;

    [OneTimeSetUp]
    public void SeedDatabase()
    {
        database = SqliteTestDatabase.Create();
        var full = Days(First.AddDays(-3), Last.AddDays(3)).ToList(); // rows outside the timeframe must not leak in
        var rows = new List<(string, DateOnly, long)>();
        rows.AddRange(full.Select((day, i) => ("alpha", day, 1000L + i)));
        rows.AddRange(full.Select((day, i) => ("zeta", day, 50_000_000_000L + i)));

        // beta: no figure on the 17th and the 19th.
        rows.AddRange(full.Where(d => d.Day is not 17 and not 19).Select(day => ("beta", day, (long)day.Day)));

        // zeroes: 0 on the 16th and 18th, missing on the 17th, 5 on the 19th and 20th.
        rows.Add(("zeroes", new DateOnly(2021, 7, 16), 0));
        rows.Add(("zeroes", new DateOnly(2021, 7, 18), 0));
        rows.Add(("zeroes", new DateOnly(2021, 7, 19), 5));
        rows.Add(("zeroes", new DateOnly(2021, 7, 20), 5));
        rows.AddRange(QuotingNames.Concat(FormulaNames).SelectMany((name, n) => full.Select(day => (name, day, (long)n))));
        database.Insert(["alpha", "beta", "zeta", "zeroes", "empty", .. QuotingNames, .. FormulaNames], rows);

        // The other account: its own "alpha" (other counts, none on the 18th) and an audience the demo account lacks.
        database.Insert(
            ["alpha", "globex_only"],
            [.. full.Where(d => d.Day != 18).Select(day => ("alpha", day, 900_000L + day.Day)),
                .. full.Select(day => ("globex_only", day, 1L))],
            TestAccounts.OtherId);
    }

    [OneTimeTearDown]
    public void DeleteDatabase() => database.Dispose();

    [Test]
    public async Task One_audience_one_day()
    {
        var bytes = await ExpectedCsv.ExportAsync(Source(), ["alpha"], First, First);

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo("audience,2021-07-16\r\nalpha,1003\r\n"));
    }

    [Test]
    public async Task Missing_days_are_empty_cells_and_zero_is_written_as_0()
    {
        string[] audiences = ["beta", "zeroes"];

        var bytes = await ExpectedCsv.ExportAsync(Source(), audiences, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(audiences, First, Last, database.Figures)));
        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(
            Header +
            "beta,16,,18,,20\r\n" +
            "zeroes,0,,0,5,5\r\n"));
    }

    [Test]
    public async Task Audience_without_data_gets_a_row_of_empty_cells()
    {
        var bytes = await ExpectedCsv.ExportAsync(Source(), ["empty", "alpha"], First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(["empty", "alpha"], First, Last, database.Figures)));
        Assert.That(Encoding.UTF8.GetString(bytes).Split("\r\n")[1], Is.EqualTo("empty,,,,,"));
    }

    [Test]
    public async Task Names_needing_quotes_are_quoted_with_quotes_doubled()
    {
        var bytes = await ExpectedCsv.ExportAsync(Source(), QuotingNames, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(QuotingNames, First, Last, database.Figures)));
        Assert.That(Encoding.UTF8.GetString(bytes), Does.Contain("\r\n\"vip, \"\"gold\"\" tier\",0,0,0,0,0\r\n"));
    }

    [Test]
    public async Task Names_a_spreadsheet_would_run_as_formulas_are_neutralised()
    {
        var bytes = await ExpectedCsv.ExportAsync(Source(), FormulaNames, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(FormulaNames, First, Last, database.Figures)));
        var lines = Encoding.UTF8.GetString(bytes).Split("\r\n");
        Assert.That(lines[1], Is.EqualTo("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",4,4,4,4,4"));
        Assert.That(lines[2], Is.EqualTo("\"'+1+1\",5,5,5,5,5"));
    }

    [Test]
    public async Task Rows_follow_the_request_order_across_chunks()
    {
        string[] audiences = ["zeta", "empty", "alpha", "zeroes", "beta"];

        var bytes = await ExpectedCsv.ExportAsync(Source(chunkSize: 2), audiences, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(audiences, First, Last, database.Figures)));
        var names = Encoding.UTF8.GetString(bytes).Split("\r\n").Skip(1).Select(l => l.Split(',')[0]).ToArray();
        Assert.That(names, Is.EqualTo(new[] { "zeta", "empty", "alpha", "zeroes", "beta", "" }));
    }

    [Test]
    public async Task An_audience_requested_twice_gets_two_rows()
    {
        var bytes = await ExpectedCsv.ExportAsync(Source(), ["alpha", "beta", "alpha"], First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(["alpha", "beta", "alpha"], First, Last, database.Figures)));
    }

    [Test]
    public async Task Cancelling_stops_the_reading_between_chunks()
    {
        using var cancellation = new CancellationTokenSource();
        var read = new List<string>();

        await Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(), async () =>
        {
            await foreach (var trend in Source(chunkSize: 1)
                .ReadTrendsAsync(TestAccounts.DemoId, ["alpha", "beta", "zeta"], First, Last, cancellation.Token))
            {
                read.Add(trend.Audience);
                await cancellation.CancelAsync();
            }
        });
        Assert.That(read, Is.EqualTo(new[] { "alpha" }));
    }

    [Test]
    public async Task Find_unknown_returns_the_unknown_names_in_request_order()
    {
        var unknown = await Source().FindUnknownAsync(
            TestAccounts.DemoId,
            ["nope", "alpha", "Alpha", "vip, \"gold\" tier", "empty", "alpha ", "nope"], CancellationToken.None);

        Assert.That(unknown, Is.EqualTo(new[] { "nope", "Alpha", "alpha " }));
    }

    [Test]
    public async Task The_same_audience_name_in_two_accounts_exports_each_accounts_own_counts()
    {
        var demo = await ExpectedCsv.ExportAsync(Source(), ["alpha"], First, Last, TestAccounts.DemoId);
        var other = await ExpectedCsv.ExportAsync(Source(chunkSize: 1), ["alpha", "globex_only"], First, Last, TestAccounts.OtherId);

        Assert.That(Encoding.UTF8.GetString(demo), Is.EqualTo(Header + "alpha,1003,1004,1005,1006,1007\r\n"));
        Assert.That(Encoding.UTF8.GetString(other), Is.EqualTo(
            Header + "alpha,900016,900017,,900019,900020\r\nglobex_only,1,1,1,1,1\r\n"));
        Assert.That(other, Is.EqualTo(ExpectedCsv.Build(
            ["alpha", "globex_only"], First, Last, database.FiguresOf(TestAccounts.OtherId))));
    }

    [Test]
    public async Task Find_unknown_reports_another_accounts_audiences_as_unknown()
    {
        string[] requested = ["alpha", "beta", "globex_only", "zeta", "empty"];

        var forOther = await Source().FindUnknownAsync(TestAccounts.OtherId, requested, CancellationToken.None);
        var forDemo = await Source().FindUnknownAsync(TestAccounts.DemoId, requested, CancellationToken.None);
        var forNobody = await Source().FindUnknownAsync(TestAccounts.LegacyOwnerId, requested, CancellationToken.None);

        Assert.That(forOther, Is.EqualTo(new[] { "beta", "zeta", "empty" }));
        Assert.That(forDemo, Is.EqualTo(new[] { "globex_only" }));
        Assert.That(forNobody, Is.EqualTo(requested), "an account without audiences knows none");
    }

    [Test]
    public async Task Another_accounts_audiences_export_no_figures()
    {
        // The intake refuses such names; read anyway, they must not leak a single figure.
        var bytes = await ExpectedCsv.ExportAsync(Source(), ["beta", "globex_only", "zeroes"], First, Last, TestAccounts.OtherId);

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(
            Header + "beta,,,,,\r\nglobex_only,1,1,1,1,1\r\nzeroes,,,,,\r\n"));
    }

    private SqlAudienceTrendSource Source(int chunkSize = 500) =>
        database.Source(chunkSize, statementPerAudience: statementPerAudience);

    private static IEnumerable<DateOnly> Days(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}
