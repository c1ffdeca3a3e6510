using System.Globalization;
using System.Text;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Export.Sql;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudienceTrends.Tests.Export;

/// <summary>A SQLite file under a temp directory with the contract's schema, deleted on dispose.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly Dictionary<AccountId, Dictionary<(string Audience, DateOnly Day), long>> figuresByAccount = [];

    private SqliteTestDatabase(string directory, string? schema)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, "data", "audiencetrends.db");

        // No pooling: a pooled connection would keep the file open and the directory could not be deleted.
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString();
        if (schema is not null)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            Execute(schema);
        }
    }

    public string Directory { get; }

    public string FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>The demo account's figures inserted so far, for building the expected CSV.</summary>
    public Dictionary<(string Audience, DateOnly Day), long> Figures => FiguresOf(TestAccounts.DemoId);

    /// <summary>The figures inserted so far for <paramref name="account"/>.</summary>
    public Dictionary<(string Audience, DateOnly Day), long> FiguresOf(AccountId account) =>
        figuresByAccount.TryGetValue(account, out var figures) ? figures : figuresByAccount[account] = [];

    public static SqliteTestDatabase Create(string? schema = null) => new(
        Path.Combine(Path.GetTempPath(), "audiencetrends-export-" + Guid.NewGuid().ToString("N")),
        schema ?? SqlScripts.SqliteSchema);

    /// <summary>A path only: no directory, no file, no schema yet.</summary>
    public static SqliteTestDatabase CreateEmpty() => new(
        Path.Combine(Path.GetTempPath(), "audiencetrends-export-" + Guid.NewGuid().ToString("N")), null);

    public DatabaseOptions Options(int chunkSize = 500, bool seedDemoData = false) => new()
    {
        Provider = DatabaseProvider.Sqlite,
        ConnectionString = ConnectionString,
        AudienceChunkSize = chunkSize,
        SeedDemoData = seedDemoData,
    };

    /// <param name="statementPerAudience">null: the provider's default (one statement per audience on SQLite); false:
    /// the chunked statement SQL Server gets, run here on SQLite.</param>
    public SqlAudienceTrendSource Source(
        int chunkSize = 500, Action<string, int>? observe = null, bool? statementPerAudience = null) =>
        new(Options(chunkSize), NullLogger.Instance, new SqlCommandGuard(observe), statementPerAudience);

    /// <summary>Inserts audiences and figures of <paramref name="account"/> (the demo account when null).</summary>
    public void Insert(
        IEnumerable<string> audiences,
        IEnumerable<(string Audience, DateOnly Day, long Count)> figures,
        AccountId? account = null)
    {
        var owner = account ?? TestAccounts.DemoId;
        var inserted = FiguresOf(owner);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var audience = connection.CreateCommand();
        audience.CommandText = "INSERT INTO audience (account_id, name) VALUES ($account, $name)";
        audience.Parameters.Add("$account", SqliteType.Text).Value = owner.Value;
        var name = audience.Parameters.Add("$name", SqliteType.Text);
        foreach (var a in audiences)
        {
            name.Value = a;
            audience.ExecuteNonQuery();
        }

        using var figure = connection.CreateCommand();
        figure.CommandText =
            "INSERT INTO audience_daily_size (account_id, audience_name, day, contact_count) VALUES ($account, $a, $d, $c)";
        figure.Parameters.Add("$account", SqliteType.Text).Value = owner.Value;
        var a2 = figure.Parameters.Add("$a", SqliteType.Text);
        var d = figure.Parameters.Add("$d", SqliteType.Text);
        var c = figure.Parameters.Add("$c", SqliteType.Integer);
        foreach (var f in figures)
        {
            a2.Value = f.Audience;
            d.Value = f.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            c.Value = f.Count;
            figure.ExecuteNonQuery();
            inserted[(f.Audience, f.Day)] = f.Count;
        }

        transaction.Commit();
    }

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public void Execute(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>The CSV a user expects, built by hand from the figures: no CsvHelper involved.</summary>
internal static class ExpectedCsv
{
    public static byte[] Build(
        IEnumerable<string> audiences,
        DateOnly firstDay,
        DateOnly lastDay,
        IReadOnlyDictionary<(string Audience, DateOnly Day), long> figures)
    {
        var csv = new StringBuilder("audience");
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            csv.Append(',').Append(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        csv.Append("\r\n");
        foreach (var audience in audiences)
        {
            csv.Append(Field(audience));
            for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
            {
                csv.Append(',');
                if (figures.TryGetValue((audience, day), out var count))
                {
                    csv.Append(count.ToString(CultureInfo.InvariantCulture));
                }
            }

            csv.Append("\r\n");
        }

        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(csv.ToString());
    }

    /// <summary>
    /// RFC 4180 quoting; a name a spreadsheet would run as a formula (OWASP: starts with = + - @ | or their full-width
    /// forms, after any leading white space; or with tab or CR) gets a leading apostrophe and quotes.
    /// </summary>
    public static string Field(string value)
    {
        var visible = value.TrimStart().TrimStart('\u200B', '\uFEFF').TrimStart();
        var formula = (value.Length > 0 && value[0] is '\t' or '\r') ||
            (visible.Length > 0 && "=+-@|＝＋－＠｜".Contains(visible[0], StringComparison.Ordinal));
        if (formula)
        {
            value = "'" + value;
        }

        return formula || value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    /// <summary>Exports as <paramref name="account"/> (the demo account when null).</summary>
    public static async Task<byte[]> ExportAsync(
        IAudienceTrendSource source,
        IReadOnlyList<string> audiences,
        DateOnly firstDay,
        DateOnly lastDay,
        AccountId? account = null)
    {
        using var output = new MemoryStream();
        var rows = await new TrendCsvWriter().WriteAsync(
            output,
            firstDay,
            lastDay,
            source.ReadTrendsAsync(account ?? TestAccounts.DemoId, audiences, firstDay, lastDay, CancellationToken.None),
            null,
            CancellationToken.None);
        Assert.That(rows, Is.EqualTo(audiences.Count));
        return output.ToArray();
    }
}
