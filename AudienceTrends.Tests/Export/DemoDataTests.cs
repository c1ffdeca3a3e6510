using System.Globalization;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudienceTrends.Tests.Export;

public class DemoDataTests
{
    private static readonly string[] ReferenceAudiences =
        ["audience1", "audience2", "opened_last_30_days", "clicked_last_30_days", "purchased_last_30_days"];

    [Test]
    public async Task First_use_creates_the_file_and_directory_and_seeds_the_reference_audiences()
    {
        using var database = SqliteTestDatabase.CreateEmpty();
        var source = new SqlAudienceTrendSource(
            database.Options(seedDemoData: true), NullLogger.Instance, new SqlCommandGuard());

        var unknown = await source.FindUnknownAsync(TestAccounts.DemoId, [.. ReferenceAudiences, "no_such_audience"], CancellationToken.None);

        Assert.That(unknown, Is.EqualTo(new[] { "no_such_audience" }));
        Assert.That(File.Exists(database.FilePath), Is.True);
        Assert.That(database.Scalar("SELECT count(*) FROM audience WHERE account_id = 'demo'"), Is.EqualTo(DemoData.Audiences.Count));
        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size WHERE account_id = 'demo'"), Is.EqualTo(DemoData.Rows().Count()));
        Assert.That(database.Scalar("SELECT count(*) FROM audience WHERE account_id = 'globex'"), Is.EqualTo(DemoData.OtherAudiences.Count));
        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size WHERE account_id = 'globex'"), Is.EqualTo(DemoData.OtherRows().Count()));
        Assert.That(database.Scalar("SELECT count(*) FROM audience WHERE account_id NOT IN ('demo', 'globex')"), Is.Zero);
        Assert.That(database.Scalar("SELECT min(day) = '2021-01-01' AND max(day) = '2022-12-31' FROM audience_daily_size"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_reference_example_exports_the_seeded_figures()
    {
        using var database = SqliteTestDatabase.CreateEmpty();
        var source = new SqlAudienceTrendSource(
            database.Options(seedDemoData: true), NullLogger.Instance, new SqlCommandGuard());
        var first = new DateOnly(2021, 7, 16);
        var last = new DateOnly(2021, 8, 16);
        var figures = DemoData.Rows().ToDictionary(r => (r.Audience, r.Day), r => r.Count);

        var bytes = await ExpectedCsv.ExportAsync(source, ["audience1", "audience2"], first, last);

        Assert.That(bytes, Is.EqualTo(ExpectedCsv.Build(["audience1", "audience2"], first, last, figures)));
        Assert.That(System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n")[2], Does.Contain(",,,"), "audience2's gap");
    }

    [Test]
    public async Task The_second_account_reads_its_own_audience1_and_not_the_demo_accounts_audiences()
    {
        using var database = SqliteTestDatabase.CreateEmpty();
        var source = new SqlAudienceTrendSource(
            database.Options(seedDemoData: true), NullLogger.Instance, new SqlCommandGuard());
        var first = new DateOnly(2021, 7, 16);
        var last = new DateOnly(2021, 8, 16);
        string[] audiences = [DemoData.SharedAudience, "globex_customers"];

        var unknown = await source.FindUnknownAsync(TestAccounts.OtherId, [.. audiences, "audience2"], CancellationToken.None);
        var other = await ExpectedCsv.ExportAsync(source, audiences, first, last, TestAccounts.OtherId);
        var demo = await ExpectedCsv.ExportAsync(source, [DemoData.SharedAudience], first, last, TestAccounts.DemoId);

        Assert.That(unknown, Is.EqualTo(new[] { "audience2" }));
        Assert.That(other, Is.EqualTo(ExpectedCsv.Build(
            audiences, first, last, DemoData.OtherRows().ToDictionary(r => (r.Audience, r.Day), r => r.Count))));
        var otherLine = System.Text.Encoding.UTF8.GetString(other).Split("\r\n")[1];
        var demoLine = System.Text.Encoding.UTF8.GetString(demo).Split("\r\n")[1];
        Assert.That(otherLine, Does.StartWith("audience1,").And.Not.EqualTo(demoLine));
    }

    [Test]
    public void Seeding_again_as_a_later_run_would_changes_nothing()
    {
        using var database = SqliteTestDatabase.CreateEmpty();
        var before = DemoData.Rows().Concat(DemoData.OtherRows()).ToList();

        DemoData.Seed(database.ConnectionString, new SqlCommandGuard(), NullLogger.Instance);
        var sum = database.Scalar("SELECT sum(contact_count) FROM audience_daily_size");
        DemoData.Seed(database.ConnectionString, new SqlCommandGuard(), NullLogger.Instance);

        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size"), Is.EqualTo(before.Count));
        Assert.That(database.Scalar("SELECT sum(contact_count) FROM audience_daily_size"), Is.EqualTo(sum));
        Assert.That(sum, Is.EqualTo(before.Sum(r => r.Count)));
        Assert.That(DemoData.Rows().Concat(DemoData.OtherRows()), Is.EqualTo(before), "deterministic");
    }

    [Test]
    public async Task Concurrent_first_uses_seed_once()
    {
        using var database = SqliteTestDatabase.CreateEmpty();
        var sources = Enumerable.Range(0, 4).Select(_ => new SqlAudienceTrendSource(
            database.Options(seedDemoData: true), NullLogger.Instance, new SqlCommandGuard()));

        var results = await Task.WhenAll(sources.Select(s => s.FindUnknownAsync(TestAccounts.DemoId, ReferenceAudiences, CancellationToken.None)));

        Assert.That(results, Has.All.Empty);
        Assert.That(database.Scalar("SELECT count(*) FROM audience_daily_size"), Is.EqualTo(DemoData.Rows().Count() + DemoData.OtherRows().Count()));
    }

    [Test]
    public void The_demo_data_has_the_cases_an_export_must_handle()
    {
        var rows = DemoData.Rows().ToList();
        var days = DemoData.LastDay.DayNumber - DemoData.FirstDay.DayNumber + 1;
        var withData = rows.Select(r => r.Audience).Distinct().ToList();

        Assert.That(DemoData.Audiences, Is.SupersetOf(ReferenceAudiences));
        Assert.That(DemoData.Audiences, Has.Count.InRange(20, 99));
        Assert.That(DemoData.Audiences, Has.Some.Contains(',').And.Some.Contains('"'));
        Assert.That(DemoData.Audiences, Has.Some.StartsWith("="));
        Assert.That(withData, Does.Not.Contain(DemoData.AudienceWithoutData));
        Assert.That(DemoData.Audiences, Does.Contain(DemoData.AudienceWithoutData));
        Assert.That(rows, Has.Some.Matches<(string, DateOnly, long Count)>(r => r.Count == 0));
        Assert.That(rows, Has.Count.LessThan(withData.Count * days), "some days are missing");
        Assert.That(
            rows.Where(r => r.Audience == "audience2" && r.Day == new DateOnly(2021, 7, 21)), Is.Empty);
        Assert.That(
            rows.Select(r => r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Min(StringComparer.Ordinal),
            Is.EqualTo("2021-01-01"));

        // The second account: the tests' other account, one name shared with the demo account, other figures.
        var other = DemoData.OtherRows().ToList();
        Assert.That(DemoData.OtherAccount, Is.EqualTo(TestAccounts.OtherId));
        Assert.That(DemoData.Audiences.Intersect(DemoData.OtherAudiences), Is.EqualTo(new[] { DemoData.SharedAudience }));
        Assert.That(other.Select(r => r.Audience).Distinct(), Is.EquivalentTo(DemoData.OtherAudiences));
        Assert.That(
            other.Where(r => r.Audience == DemoData.SharedAudience).Select(r => r.Count),
            Is.Not.EqualTo(rows.Where(r => r.Audience == DemoData.SharedAudience).Select(r => r.Count)));
    }
}
