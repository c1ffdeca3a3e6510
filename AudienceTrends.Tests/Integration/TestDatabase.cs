using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// SQLite databases for end-to-end tests, written and read by the test itself (plain SQL against the documented
/// contract), and the CSV a user should receive, built here independently of the app's writer.
/// </summary>
public static class TestDatabase
{
    public static string PathOf(IDictionary<string, string?> settings) =>
        new SqliteConnectionStringBuilder(settings["Database:ConnectionString"]).DataSource;

    /// <summary>A new database with the contract's schema and exactly these audiences and rows.</summary>
    public static string Create(IEnumerable<string> audiences, IEnumerable<(string Audience, DateOnly Day, long Count)> rows)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("audiencetrends-db-").FullName, "test.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var schema = connection.CreateCommand())
        {
            schema.CommandText = File.ReadAllText(Infrastructure.RepositoryPaths.Combine("AudienceTrends.Core", "Export", "Sql", "sqlite-schema.sql"));
            schema.ExecuteNonQuery();
        }

        using var insertAudience = connection.CreateCommand();
        insertAudience.CommandText = "INSERT INTO audience (name) VALUES ($name)";
        var name = insertAudience.Parameters.Add("$name", SqliteType.Text);
        foreach (var audience in audiences)
        {
            name.Value = audience;
            insertAudience.ExecuteNonQuery();
        }

        using var insertRow = connection.CreateCommand();
        insertRow.CommandText = "INSERT INTO audience_daily_size (audience_name, day, contact_count) VALUES ($a, $d, $c)";
        var a = insertRow.Parameters.Add("$a", SqliteType.Text);
        var d = insertRow.Parameters.Add("$d", SqliteType.Text);
        var c = insertRow.Parameters.Add("$c", SqliteType.Integer);
        foreach (var row in rows)
        {
            (a.Value, d.Value, c.Value) = (row.Audience, row.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.Count);
            insertRow.ExecuteNonQuery();
        }

        transaction.Commit();
        return path;
    }

    /// <summary>
    /// The expected file: header <c>audience,&lt;days&gt;</c>, one row per audience in request order, the day's count or
    /// an empty cell; CRLF; names quoted per RFC 4180 and prefixed with <c>'</c> (and quoted) when they could start a
    /// spreadsheet formula.
    /// </summary>
    public static byte[] ExpectedCsv(string databasePath, IReadOnlyList<string> audiences, DateOnly first, DateOnly last)
    {
        var counts = new Dictionary<(string, string), long>();
        using (var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT audience_name, day, contact_count FROM audience_daily_size";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                counts[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1)
            .Select(i => first.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        var csv = new StringBuilder("audience");
        foreach (var day in days)
        {
            csv.Append(',').Append(day);
        }

        csv.Append("\r\n");
        foreach (var audience in audiences)
        {
            csv.Append(Field(audience));
            foreach (var day in days)
            {
                csv.Append(',');
                if (counts.TryGetValue((audience, day), out var count))
                {
                    csv.Append(count.ToString(CultureInfo.InvariantCulture));
                }
            }

            csv.Append("\r\n");
        }

        return new UTF8Encoding(false).GetBytes(csv.ToString());
    }

    private static string Field(string value)
    {
        var formula = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (formula)
        {
            value = "'" + value;
        }

        return formula || value.IndexOfAny([',', '"', '\r', '\n']) >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
