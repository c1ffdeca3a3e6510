using System.Globalization;
using DuckDB.NET.Data;

namespace AudienceTrends.Tests.Export.Formats;

/// <summary>
/// An exported file read by DuckDB (its own native Parquet, JSON and CSV readers, an implementation independent of
/// the service's writers), gzip recognised by the <c>.gz</c> at the end of the name as DuckDB does it for a user.
/// </summary>
public static class DuckDbFile
{
    /// <summary>The long layout's rows as DuckDB reads them, sorted by audience then date.</summary>
    public static List<SourceRow> ReadLong(string path) => Query(
        $"SELECT audience, strftime(date, '%Y-%m-%d'), contact_count FROM {Relation(path)} ORDER BY audience, date",
        reader => new SourceRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));

    /// <summary>
    /// A wide JSON Lines file as DuckDB reads it (<c>contact_counts</c> as a map of date to count): the figures, sorted
    /// like <see cref="ReadLong"/>, and for each audience how many days it has a key for.
    /// </summary>
    public static (List<SourceRow> Figures, Dictionary<string, long> DaysPerAudience) ReadWideJsonLines(string path)
    {
        var relation = $"read_json('{path}', format = 'newline_delimited', " +
            "columns = {audience: 'VARCHAR', contact_counts: 'MAP(VARCHAR, BIGINT)'})";
        var figures = Query(
            $"SELECT audience, e.key, e.value FROM (SELECT audience, unnest(map_entries(contact_counts)) AS e FROM {relation}) " +
            "WHERE e.value IS NOT NULL ORDER BY audience, e.key",
            reader => new SourceRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        var days = Query($"SELECT audience, cardinality(contact_counts) FROM {relation}",
            reader => (reader.GetString(0), reader.GetInt64(1))).ToDictionary(d => d.Item1, d => d.Item2);
        return (figures, days);
    }

    /// <summary>The file's columns and their DuckDB types, in order, as DuckDB infers them (no types given).</summary>
    public static List<string> Columns(string path) => Query(
        $"SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM {Relation(path, typed: false)})",
        reader => reader.GetString(0));

    /// <summary>A Parquet file's column compression codecs and how many row groups it has.</summary>
    public static (List<string> Codecs, long RowGroups) ParquetLayout(string path) => (
        Query($"SELECT DISTINCT compression FROM parquet_metadata('{path}') ORDER BY 1", reader => reader.GetString(0)),
        Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{path}')", reader => reader.GetInt64(0)).Single());

    private static string Relation(string path, bool typed = true)
    {
        const string Columns = "columns = {audience: 'VARCHAR', date: 'DATE', contact_count: 'BIGINT'}";
        var name = path.EndsWith(".gz", StringComparison.Ordinal) ? path[..^3] : path;
        return Path.GetExtension(name) switch
        {
            ".parquet" => $"read_parquet('{path}')",
            ".jsonl" => typed ? $"read_json('{path}', format = 'newline_delimited', {Columns})" : $"read_json('{path}', format = 'newline_delimited')",
            ".csv" => typed ? $"read_csv('{path}', header = true, {Columns})" : $"read_csv('{path}', header = true)",
            var other => throw new ArgumentException($"No DuckDB reader for {other} files.", nameof(path)),
        };
    }

    private static List<T> Query<T>(string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

/// <summary>One figure: an audience's contact count on a day (<c>yyyy-MM-dd</c>).</summary>
public sealed record SourceRow(string Audience, string Date, long ContactCount)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Audience} {Date} {ContactCount}");
}
