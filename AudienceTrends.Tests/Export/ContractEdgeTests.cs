using System.Text;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Export;

/// <summary>Databases that follow the contract less strictly than our own scripts: what a user pointing us at theirs gets.</summary>
public class ContractEdgeTests
{
    private static readonly DateOnly First = new(2021, 7, 16);

    [Test]
    public async Task Names_match_exactly_even_under_a_case_insensitive_collation()
    {
        // NOCASE stands in for SQL Server's usual case-insensitive collations: IN also returns 'Audience1' for 'audience1'.
        using var database = SqliteTestDatabase.Create(
            "CREATE TABLE audience (account_id TEXT, name TEXT COLLATE NOCASE, PRIMARY KEY (account_id, name));" +
            "CREATE TABLE audience_daily_size (account_id TEXT, audience_name TEXT COLLATE NOCASE, day TEXT, contact_count INTEGER);");
        database.Insert(["Audience1"], [("Audience1", First, 42)]);
        var statements = new List<(string Sql, int Parameters)>();
        var source = database.Source(observe: (sql, n) => statements.Add((sql, n)));

        var unknown = await source.FindUnknownAsync(TestAccounts.DemoId, ["audience1", "Audience1"], CancellationToken.None);
        var bytes = await ExpectedCsv.ExportAsync(source, ["audience1", "Audience1"], First, First);

        Assert.That(unknown, Is.EqualTo(new[] { "audience1" }));
        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo("audience,2021-07-16\r\naudience1,\r\nAudience1,42\r\n"));

        // The name stored exactly so gets its own statement; the other spelling goes through the chunk query's name check.
        Assert.That(statements, Is.EqualTo(new[]
        {
            (SqlAudienceTrendSource.KnownNamesSql, 3),
            (SqlAudienceTrendSource.KnownNamesSql, 3),
            (SqlAudienceTrendSource.AudienceTrendSql, 4),
            (SqlAudienceTrendSource.TrendsSql, 4),
        }));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_null_count_fails_with_a_message_naming_the_column(bool statementPerAudience)
    {
        using var database = SqliteTestDatabase.Create(
            "CREATE TABLE audience (account_id TEXT, name TEXT, PRIMARY KEY (account_id, name));" +
            "CREATE TABLE audience_daily_size (account_id TEXT, audience_name TEXT, day TEXT, contact_count INTEGER);");
        database.Insert(["a"], [("a", First, 7)]);
        database.Execute("INSERT INTO audience_daily_size VALUES ('demo', 'a', '2021-07-17', NULL)");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ExpectedCsv.ExportAsync(
            database.Source(statementPerAudience: statementPerAudience), ["a"], First, First.AddDays(1)));

        Assert.That(error!.Message, Is.EqualTo(
            "audience_daily_size.contact_count is NULL for audience 'a'; the SQL contract requires a count on every row."));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_day_that_is_not_iso_text_fails_with_a_message_naming_the_column(bool statementPerAudience)
    {
        using var database = SqliteTestDatabase.Create(
            "CREATE TABLE audience (account_id TEXT, name TEXT, PRIMARY KEY (account_id, name));" +
            "CREATE TABLE audience_daily_size (account_id TEXT, audience_name TEXT, day TEXT, contact_count INTEGER);");
        database.Insert(["a"], []);
        database.Execute("INSERT INTO audience_daily_size VALUES ('demo', 'a', '2021-07-16 00:00:00', 1)");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            ExpectedCsv.ExportAsync(database.Source(statementPerAudience: statementPerAudience), ["a"], First, First.AddDays(1)));

        Assert.That(error!.Message, Is.EqualTo(
            "audience_daily_size.day '2021-07-16 00:00:00' is not a yyyy-MM-dd date, as the SQL contract requires on SQLite."));
    }

    [Test]
    public void The_sql_server_script_is_embedded_and_creates_the_contract()
    {
        var script = AudienceTrends.Core.Export.Sql.SqlScripts.SqlServerSchema;

        Assert.That(script, Does.Contain("CREATE TABLE dbo.audience ("));
        Assert.That(script, Does.Contain("account_id NVARCHAR(64) NOT NULL"));
        Assert.That(script, Does.Contain("name NVARCHAR(200) NOT NULL"));
        Assert.That(script, Does.Contain("PRIMARY KEY (account_id, name)"));
        Assert.That(script, Does.Contain("CREATE TABLE dbo.audience_daily_size ("));
        Assert.That(script, Does.Contain("day DATE NOT NULL"));
        Assert.That(script, Does.Contain("PRIMARY KEY CLUSTERED (account_id, audience_name, day)"));
    }
}
