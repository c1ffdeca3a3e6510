using System.Collections.Concurrent;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// SQL Server refuses statements with more than 2,100 parameters and SQLite does not, so these tests count what every
/// statement would send, through the guard every command goes through.
/// </summary>
public class ParameterLimitTests
{
    private static readonly DateOnly First = new(2022, 3, 1);
    private static readonly DateOnly Last = new(2022, 3, 3);

    private SqliteTestDatabase database = null!;
    private List<string> known = null!;

    [OneTimeSetUp]
    public void SeedFiveThousandAudiences()
    {
        database = SqliteTestDatabase.Create();
        known = Enumerable.Range(0, 5000).Select(i => $"audience_{i:D4}").ToList();
        var figures = known.SelectMany((name, i) => new[]
        {
            (name, First, (long)i),
            (name, First.AddDays(1), (long)(i % 3 == 0 ? 0 : i * 7)),
            (name, Last, (long)i * 11),
        }.Where(f => (i + f.Item2.Day) % 5 != 0)); // every audience misses some days, some miss two
        database.Insert(known, figures);
    }

    [OneTimeTearDown]
    public void DeleteDatabase() => database.Dispose();

    [TestCase(true)]
    [TestCase(false)]
    public async Task Five_thousand_audiences_in_request_order_match_the_seeded_rows(bool statementPerAudience)
    {
        var requested = Shuffled(known);

        var bytes = await ExpectedCsv.ExportAsync(
            database.Source(statementPerAudience: statementPerAudience), requested, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(requested, First, Last, database.Figures)));
    }

    [Test]
    public async Task No_chunked_statement_for_five_thousand_audiences_exceeds_2100_parameters_even_at_the_largest_chunk_size()
    {
        var counts = new ConcurrentQueue<(string Sql, int Parameters)>();
        var source = database.Source(
            DatabaseOptions.MaxAudienceChunkSize, (sql, n) => counts.Enqueue((sql, n)), statementPerAudience: false);
        var requested = Shuffled(known);
        var withUnknown = requested.Select((name, i) => i % 10 == 0 ? "unknown_" + name : name).ToList();

        var unknown = await source.FindUnknownAsync(TestAccounts.DemoId, withUnknown, CancellationToken.None);
        var bytes = await ExpectedCsv.ExportAsync(source, requested, First, Last);

        Assert.That(unknown, Is.EqualTo(withUnknown.Where(n => n.StartsWith("unknown_", StringComparison.Ordinal))));
        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(requested, First, Last, database.Figures)));
        var lookups = counts.Where(c => c.Sql == SqlAudienceTrendSource.KnownNamesSql).Select(c => c.Parameters);
        var trends = counts.Where(c => c.Sql == SqlAudienceTrendSource.TrendsSql).Select(c => c.Parameters);
        // The account's parameter is counted with the names: 2,097 names per chunk, plus the account and the two days.
        Assert.That(lookups, Is.EqualTo(new[] { 2098, 2098, 807 }));
        Assert.That(trends, Is.EqualTo(new[] { 2100, 2100, 809 }));
        Assert.That(counts.Select(c => c.Parameters), Has.All.LessThanOrEqualTo(SqlLimits.MaxParametersPerStatement));
    }

    [Test]
    public async Task Statements_per_audience_check_the_names_per_chunk_then_send_four_parameters_each()
    {
        var counts = new ConcurrentQueue<(string Sql, int Parameters)>();
        var source = database.Source(DatabaseOptions.MaxAudienceChunkSize, (sql, n) => counts.Enqueue((sql, n)));
        var requested = Shuffled(known);

        var bytes = await ExpectedCsv.ExportAsync(source, requested, First, Last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(requested, First, Last, database.Figures)));
        var lookups = counts.Where(c => c.Sql == SqlAudienceTrendSource.KnownNamesSql).Select(c => c.Parameters);
        var perAudience = counts.Where(c => c.Sql == SqlAudienceTrendSource.AudienceTrendSql).Select(c => c.Parameters);
        Assert.That(lookups, Is.EqualTo(new[] { 2098, 2098, 807 }));
        Assert.That(perAudience.ToList(), Has.Count.EqualTo(5000).And.All.EqualTo(4)); // account, name, first, last
        Assert.That(counts.Where(c => c.Sql == SqlAudienceTrendSource.TrendsSql), Is.Empty); // every name is known
    }

    [Test]
    public async Task Find_unknown_with_five_thousand_names_lists_the_unknown_ones_in_request_order()
    {
        var requested = Shuffled(known)
            .Select((name, i) => i % 7 == 3 ? name.Replace("audience", "missing", StringComparison.Ordinal) : name)
            .ToList();

        var unknown = await database.Source().FindUnknownAsync(TestAccounts.DemoId, requested, CancellationToken.None);

        Assert.That(unknown, Is.EqualTo(requested.Where(n => n.StartsWith("missing", StringComparison.Ordinal))));
        Assert.That(unknown, Has.Count.EqualTo(714));
    }

    [Test]
    public void The_guard_refuses_a_statement_over_2100_parameters_and_accepts_one_at_2100()
    {
        var guard = new SqlCommandGuard();
        SqlArgument[] fixedArguments = [new("account", TestAccounts.Demo), new("first", "2022-03-01"), new("last", "2022-03-03")];

        Assert.DoesNotThrow(() => guard.Command(
            SqlAudienceTrendSource.TrendsSql, [new("names", known.Take(2097).ToArray()), .. fixedArguments], 60, CancellationToken.None));
        var error = Assert.Throws<InvalidOperationException>(() => guard.Command(
            SqlAudienceTrendSource.TrendsSql, [new("names", known.Take(2098).ToArray()), .. fixedArguments], 60, CancellationToken.None));
        Assert.That(error.Message, Is.EqualTo(
            "A statement would send 2101 parameters; SQL Server accepts at most 2100. Lower Database:AudienceChunkSize."));
    }

    // Chunked, the account and two day parameters go with the names; per audience, the names' lookup sends the names
    // and the account.
    [TestCase(false, DatabaseOptions.MaxAudienceChunkSize + 1)]
    [TestCase(true, SqlLimits.MaxParametersPerStatement)]
    public async Task A_source_whose_chunk_size_bypassed_validation_fails_before_the_database_runs_the_statement(
        bool statementPerAudience, int chunkSize)
    {
        var counts = new List<int>();
        var source = database.Source(chunkSize, (_, n) => counts.Add(n), statementPerAudience);

        // SQLite itself would accept 2,101 parameters: only the guard can make this fail.
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in source.ReadTrendsAsync(TestAccounts.DemoId, known, First, Last, CancellationToken.None))
            {
            }
        });
        Assert.That(counts, Is.EqualTo(new[] { 2101 }));
    }

    /// <summary>A fixed, non-alphabetical order: rows must follow the request, not the database's ORDER BY.</summary>
    private static List<string> Shuffled(List<string> names)
    {
        var random = new Random(7);
        return names.OrderBy(_ => random.Next()).ToList();
    }
}
