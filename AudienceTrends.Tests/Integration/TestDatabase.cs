using System.Globalization;
using AudienceTrends.Tests.Export;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// SQLite databases for end-to-end tests and the CSV a user should receive, built independently of the app's
/// writer (<see cref="ExpectedCsv"/>) from what the database holds, read here with plain SQL.
/// </summary>
public static class TestDatabase
{
    public static string PathOf(IDictionary<string, string?> settings) =>
        new SqliteConnectionStringBuilder(settings["Database:ConnectionString"]).DataSource;

    /// <summary>A new database file with the contract's schema and exactly these audiences and rows; it outlives the test's host and is deleted at the end of the run.</summary>
    public static string Create(IEnumerable<string> audiences, IEnumerable<(string Audience, DateOnly Day, long Count)> rows)
    {
        var database = SqliteTestDatabase.Create();
        Infrastructure.TempFolders.Track(database.Directory);
        database.Insert(audiences, rows);
        return database.FilePath;
    }

    public static byte[] ExpectedCsv(string databasePath, IReadOnlyList<string> audiences, DateOnly first, DateOnly last)
    {
        var figures = new Dictionary<(string Audience, DateOnly Day), long>();
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT audience_name, day, contact_count FROM audience_daily_size WHERE account_id = 'demo'";
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            figures[(reader.GetString(0), DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture))] = reader.GetInt64(2);
        }

        return Export.ExpectedCsv.Build(audiences, first, last, figures);
    }
}
