using System.Text;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// A demo file an older version wrote, before accounts: its tables have no <c>account_id</c>. The demo seeding
/// migrates it in place, its rows becoming the demo account's, rather than leaving every export to fail.
/// </summary>
public class DemoDataMigrationTests
{
    /// <summary>Export/Sql/sqlite-schema.sql as it was before accounts.</summary>
    private const string SchemaBeforeAccounts =
        "CREATE TABLE IF NOT EXISTS audience (name TEXT NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200));" +
        "CREATE TABLE IF NOT EXISTS audience_daily_size (" +
        "audience_name TEXT NOT NULL REFERENCES audience (name)," +
        "day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')," +
        "contact_count INTEGER NOT NULL CHECK (contact_count >= 0)," +
        "PRIMARY KEY (audience_name, day)) WITHOUT ROWID;";

    private static readonly DateOnly First = new(2021, 7, 16);

    [Test]
    public async Task An_old_demo_file_keeps_its_rows_as_the_demo_accounts_and_gains_the_second_account()
    {
        using var database = SqliteTestDatabase.Create(SchemaBeforeAccounts);
        database.Execute(
            "INSERT INTO audience VALUES ('audience1'), ('added_by_hand'), ('no_figures');" +
            "INSERT INTO audience_daily_size VALUES ('audience1', '2021-07-16', 123), ('added_by_hand', '2021-07-17', 0);");
        var source = new SqlAudienceTrendSource(
            database.Options(seedDemoData: true), NullLogger.Instance, new SqlCommandGuard());

        var unknown = await source.FindUnknownAsync(
            TestAccounts.DemoId, ["audience1", "added_by_hand", "no_figures", "audience2"], CancellationToken.None);
        var bytes = await ExpectedCsv.ExportAsync(source, ["audience1", "added_by_hand", "no_figures"], First, First.AddDays(1));
        var unknownToOther = await source.FindUnknownAsync(
            TestAccounts.OtherId, ["added_by_hand", DemoData.SharedAudience, "globex_customers"], CancellationToken.None);

        // The file held audience1 already: the demo account's audiences are not seeded again over the old rows.
        Assert.That(unknown, Is.EqualTo(new[] { "audience2" }));
        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(
            "audience,2021-07-16,2021-07-17\r\naudience1,123,\r\nadded_by_hand,,0\r\nno_figures,,\r\n"));
        Assert.That(unknownToOther, Is.EqualTo(new[] { "added_by_hand" }));
        Assert.That(database.Scalar("SELECT count(*) FROM audience WHERE account_id = 'demo'"), Is.EqualTo(3));
        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size WHERE account_id = 'demo'"), Is.EqualTo(2));
        Assert.That(database.Scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE '%before_accounts%'"), Is.Zero);
        Assert.That(
            database.Scalar("SELECT count(*) FROM pragma_table_info('audience_daily_size') WHERE name = 'account_id' AND pk = 1"),
            Is.EqualTo(1),
            "the table is rebuilt with the account leading its key");
    }

    [Test]
    public void Seeding_a_migrated_file_again_changes_nothing()
    {
        using var database = SqliteTestDatabase.Create(SchemaBeforeAccounts);
        database.Execute("INSERT INTO audience VALUES ('audience1'); INSERT INTO audience_daily_size VALUES ('audience1', '2021-07-16', 5);");

        DemoData.Seed(database.ConnectionString, new SqlCommandGuard(), NullLogger.Instance);
        var audiences = database.Scalar("SELECT count(*) FROM audience");
        var rows = database.Scalar("SELECT count(*) FROM audience_daily_size");
        DemoData.Seed(database.ConnectionString, new SqlCommandGuard(), NullLogger.Instance);

        Assert.That(audiences, Is.EqualTo(1 + DemoData.OtherAudiences.Count));
        Assert.That(rows, Is.EqualTo(1 + DemoData.OtherRows().Count()));
        Assert.That(database.Scalar("SELECT count(*) FROM audience"), Is.EqualTo(audiences));
        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size"), Is.EqualTo(rows));
    }
}
