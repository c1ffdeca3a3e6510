using System.Collections.Concurrent;
using System.Globalization;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export.Sql;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Local demo database (Sqlite with Database:SeedDemoData): the contract's schema plus deterministic audiences over
/// 2021-2022, which covers the reference page's examples (2021-07-16..2021-08-16, audience1, audience2, ...). They
/// belong to <see cref="DemoAccount"/>; a second account, <see cref="OtherAccount"/>, has a few audiences of its own,
/// one of them (<see cref="SharedAudience"/>) named as a demo audience with other figures, so that a second account's
/// key shows what isolation between accounts means.
/// </summary>
internal static class DemoData
{
    public static readonly DateOnly FirstDay = new(2021, 1, 1);
    public static readonly DateOnly LastDay = new(2022, 12, 31);

    /// <summary>Known to the database, without a single daily figure.</summary>
    public const string AudienceWithoutData = "new_audience_without_data";

    /// <summary>Zero contacts until 2022; afterwards growing.</summary>
    public const string AudienceStartingAtZero = "sms_pilot_2022";

    /// <summary>No figures from 2021-07-20 to 2021-07-22, inside the reference examples' timeframe.</summary>
    public const string AudienceWithGap = "audience2";

    /// <summary>A name both accounts have, each with its own figures.</summary>
    public const string SharedAudience = "audience1";

    public static readonly AccountId OtherAccount = AccountId.Parse("globex");

    private const int RandomSeed = 20210716;
    private const int OtherRandomSeed = 20220101;

    private static readonly ConcurrentDictionary<string, Lazy<Task>> SeededDatabases = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Audiences { get; } =
    [
        "audience1", "audience2", "opened_last_30_days", "clicked_last_30_days", "purchased_last_30_days",
        "opened_last_7_days", "clicked_last_7_days", "purchased_last_7_days", "opened_last_90_days",
        "clicked_last_90_days", "purchased_last_90_days", "newsletter_subscribers", "sms_subscribers", "push_enabled",
        "cart_abandoners", "browse_abandoners", "first_time_buyers", "repeat_buyers", "lapsed_customers",
        "high_value_customers", "low_engagement", "birthday_this_month", "loyalty_gold", "loyalty_silver",
        "loyalty_bronze", "region_north_america", "region_europe", "region_apac", "mobile_app_users",
        "café lovers ☕", "vip, \"gold\" tier", "=1+2 formula test", "-unsubscribed", AudienceStartingAtZero,
        AudienceWithoutData,
    ];

    /// <summary><see cref="OtherAccount"/>'s audiences.</summary>
    public static IReadOnlyList<string> OtherAudiences { get; } = [SharedAudience, "globex_customers", "globex_trial_users"];

    /// <summary>The demo account's daily figures, the same on every call and every machine (a seeded <see cref="Random"/>).</summary>
    public static IEnumerable<(string Audience, DateOnly Day, long Count)> Rows() => Rows(Audiences, RandomSeed);

    /// <summary><see cref="OtherAccount"/>'s daily figures, likewise deterministic, from another seed.</summary>
    public static IEnumerable<(string Audience, DateOnly Day, long Count)> OtherRows() => Rows(OtherAudiences, OtherRandomSeed);

    private static IEnumerable<(string Audience, DateOnly Day, long Count)> Rows(IReadOnlyList<string> audiences, int seed)
    {
        var random = new Random(seed);
        var gapFirst = new DateOnly(2021, 7, 20);
        var gapLast = new DateOnly(2021, 7, 22);
        foreach (var audience in audiences)
        {
            if (audience == AudienceWithoutData)
            {
                continue;
            }

            double size = random.Next(1_000, 500_000);
            for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            {
                size = Math.Max(0, size * (1 + ((random.NextDouble() - 0.48) * 0.04)));
                var missing = random.NextDouble() < 0.02
                    || (audience == AudienceWithGap && day >= gapFirst && day <= gapLast);
                if (missing)
                {
                    continue;
                }

                var zero = random.NextDouble() < 0.01 || (audience == AudienceStartingAtZero && day.Year == 2021);
                yield return (audience, day, zero ? 0 : (long)size);
            }
        }
    }

    /// <summary>Seeds the database once per process (concurrent callers wait for the same run); a failed run is retried on the next call.</summary>
    public static async Task EnsureSeededAsync(
        string connectionString, SqlCommandGuard guard, ILogger logger, CancellationToken cancellationToken)
    {
        var seeding = SeededDatabases.GetOrAdd(
            connectionString, key => new Lazy<Task>(() => Task.Run(() => Seed(key, guard, logger))));
        try
        {
            await seeding.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (seeding.Value.IsFaulted)
        {
            SeededDatabases.TryRemove(new KeyValuePair<string, Lazy<Task>>(connectionString, seeding));
            throw;
        }
    }

    /// <summary>
    /// Creates the schema, migrating a file written before accounts existed (<see cref="DemoDataMigration"/>), and
    /// inserts each account's demo rows unless a previous run did (idempotent across runs and processes).
    /// </summary>
    internal static void Seed(string connectionString, SqlCommandGuard guard, ILogger logger)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (dataSource.Length > 0 && dataSource != ":memory:" && !dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        using var connection = new SqliteConnection(connectionString);
        connection.Open();

        // BEGIN IMMEDIATE: two processes starting together cannot both see an empty (or old) database and both write.
        using var transaction = connection.BeginTransaction(deferred: false);
        DemoDataMigration.MigrateIfBeforeAccounts(connection, transaction, guard, logger);
        connection.Execute(guard.Command(SqlScripts.SqliteSchema, [], 60, CancellationToken.None, transaction));
        SeedAccount(connection, transaction, guard, logger, DemoAccount.Id, Audiences, Rows(), dataSource);
        SeedAccount(connection, transaction, guard, logger, OtherAccount, OtherAudiences, OtherRows(), dataSource);
        transaction.Commit();
    }

    private static void SeedAccount(
        SqliteConnection connection,
        SqliteTransaction transaction,
        SqlCommandGuard guard,
        ILogger logger,
        AccountId account,
        IReadOnlyList<string> audiences,
        IEnumerable<(string Audience, DateOnly Day, long Count)> rows,
        string dataSource)
    {
        var already = connection.ExecuteScalar<long>(guard.Command(
            "SELECT count(*) FROM audience WHERE account_id = @account AND name = @name",
            [new SqlArgument("account", account.Value), new SqlArgument("name", audiences[0])],
            60,
            CancellationToken.None,
            transaction));
        if (already > 0)
        {
            return;
        }

        using var insertAudience = connection.CreateCommand();
        insertAudience.Transaction = transaction;
        insertAudience.CommandText = "INSERT INTO audience (account_id, name) VALUES ($account, $name)";
        insertAudience.Parameters.Add("$account", SqliteType.Text).Value = account.Value;
        var name = insertAudience.Parameters.Add("$name", SqliteType.Text);
        guard.Check(insertAudience);
        insertAudience.Prepare();
        foreach (var audience in audiences)
        {
            name.Value = audience;
            insertAudience.ExecuteNonQuery();
        }

        using var insertDay = connection.CreateCommand();
        insertDay.Transaction = transaction;
        insertDay.CommandText =
            "INSERT INTO audience_daily_size (account_id, audience_name, day, contact_count) " +
            "VALUES ($account, $audience, $day, $count)";
        insertDay.Parameters.Add("$account", SqliteType.Text).Value = account.Value;
        var audienceName = insertDay.Parameters.Add("$audience", SqliteType.Text);
        var day = insertDay.Parameters.Add("$day", SqliteType.Text);
        var count = insertDay.Parameters.Add("$count", SqliteType.Integer);
        guard.Check(insertDay);
        insertDay.Prepare();
        var inserted = 0;
        foreach (var row in rows)
        {
            audienceName.Value = row.Audience;
            day.Value = row.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            count.Value = row.Count;
            insertDay.ExecuteNonQuery();
            inserted++;
        }

        logger.LogInformation(
            "Seeded demo data of account {Account}: {Audiences} audiences, {Rows} daily figures in {DataSource}",
            account, audiences.Count, inserted, dataSource);
    }
}
