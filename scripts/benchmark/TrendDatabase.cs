using System.Globalization;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Export.Sql;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Benchmark;

/// <summary>
/// Seeds a SQLite file with the contract's schema and deterministic figures, about 3% of the days missing, all of
/// the demo account (<see cref="DemoAccount.Id"/>), as which the benchmark reads them.
/// </summary>
public static class TrendDatabase
{
    private const int Seed = 20_261_126;

    private const string InsertAudience = "INSERT INTO audience (account_id, name) VALUES ($account, $name)";

    /// <summary>Writes the database and returns the number of daily rows.</summary>
    public static long Create(string path, BenchmarkSize size)
    {
        // No pooling: the file must be closed when this returns, so the benchmark can delete it.
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
        Execute(connection, SqlScripts.SqliteSchema);

        using var transaction = connection.BeginTransaction();
        using var audience = Prepare(connection, transaction, InsertAudience, "$account", "$name");
        using var daily = Prepare(connection, transaction,
            "INSERT INTO audience_daily_size (account_id, audience_name, day, contact_count) VALUES ($account, $name, $day, $count)",
            "$account", "$name", "$day", "$count");
        audience.Parameters[0].Value = DemoAccount.Id.Value;
        daily.Parameters[0].Value = DemoAccount.Id.Value;

        var days = Enumerable.Range(0, size.Days)
            .Select(i => BenchmarkSize.FirstDay.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToArray();
        var random = new Random(Seed);
        long rows = 0;
        for (var a = 0; a < size.Audiences; a++)
        {
            var name = BenchmarkSize.AudienceName(a);
            audience.Parameters[1].Value = name;
            audience.ExecuteNonQuery();

            // A random walk from a random base: realistic digit counts (1 to 7) rather than one repeated value.
            long count = random.Next(10, 5_000_000);
            daily.Parameters[1].Value = name;
            foreach (var day in days)
            {
                count = Math.Max(0, count + random.Next(-(int)(count / 100) - 5, (int)(count / 100) + 6));
                if (random.Next(100) < 3)
                {
                    continue;
                }

                daily.Parameters[2].Value = day;
                daily.Parameters[3].Value = count;
                daily.ExecuteNonQuery();
                rows++;
            }
        }

        transaction.Commit();
        return rows;
    }

    /// <summary>The contract's schema and the given audiences of the demo account, without figures: what the intake checks names against.</summary>
    public static void CreateAudiences(string path, IEnumerable<string> names)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, SqlScripts.SqliteSchema);
        using var audience = Prepare(connection, null, InsertAudience, "$account", "$name");
        audience.Parameters[0].Value = DemoAccount.Id.Value;
        foreach (var name in names)
        {
            audience.Parameters[1].Value = name;
            audience.ExecuteNonQuery();
        }
    }

    private static SqliteCommand Prepare(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = parameter });
        }

        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
