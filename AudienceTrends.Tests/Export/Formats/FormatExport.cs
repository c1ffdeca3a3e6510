using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Tests.Export.Formats;

/// <summary>
/// Exports in each file format and layout through the in-process host, and what every destination's test checks of
/// a stored file: DuckDB reads exactly the figures the SQLite source holds for the demo account, audiences and days
/// (read here with plain SQL), the Parquet columns are typed, and the job's result describes the stored bytes.
/// </summary>
public static class FormatExport
{
    public static readonly DateOnly First = new(2024, 1, 1);
    public static readonly DateOnly Last = new(2024, 12, 31);

    /// <summary>The audiences the exports ask for: a name that needs quoting and escaping, and one without figures in the window.</summary>
    public static readonly string[] Audiences = ["weekly_openers", "Ünïcode, \"quoted\" name", "late_buyers", "buyers", "no_rows_in_window"];

    /// <summary>An export of an audience that has no figure in the timeframe.</summary>
    public static readonly string[] EmptyAudiences = ["no_rows_in_window"];

    /// <summary>
    /// A database of the demo account's audiences with gaps (about 1,250 figures in the window, so more than one
    /// Parquet row group of 1,000), figures just outside the window, and another account's figures under the same names.
    /// </summary>
    public static string CreateDatabase()
    {
        var figures = new List<(string, DateOnly, long)>();
        for (var a = 0; a < Audiences.Length - 1; a++)
        {
            for (var day = First.AddDays(-2); day <= Last.AddDays(2); day = day.AddDays(1))
            {
                if ((a + day.DayNumber) % 7 != 3)
                {
                    figures.Add((Audiences[a], day, (a * 1_000_000_000_000L) + day.DayNumber));
                }
            }
        }

        figures.Add((EmptyAudiences[0], First.AddDays(-1), 5));
        var path = TestDatabase.Create(Audiences, figures);
        using var database = new SqliteConnection($"Data Source={path};Pooling=False");
        database.Open();
        using var other = database.CreateCommand();
        other.CommandText =
            $"INSERT INTO audience (account_id, name) SELECT '{TestAccounts.Other}', name FROM audience WHERE account_id = '{TestAccounts.Demo}';" +
            "INSERT INTO audience_daily_size (account_id, audience_name, day, contact_count) " +
            $"SELECT '{TestAccounts.Other}', audience_name, day, contact_count + 7 FROM audience_daily_size WHERE account_id = '{TestAccounts.Demo}';";
        other.ExecuteNonQuery();
        return path;
    }

    /// <summary>Settings for a host on <paramref name="database"/> whose Parquet row groups hold 1,000 rows.</summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(string database)
    {
        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        settings["FileFormats:ParquetRowGroupRows"] = "1000";
        return settings;
    }

    /// <summary>
    /// Posts <paramref name="example"/> once per variant (its own name, exportType, layout, compression, the window and
    /// <paramref name="audiences"/>; <paramref name="destination"/> in place of the example's own) and waits for each job to be Done.
    /// </summary>
    public static async Task<List<(FileVariant Variant, JsonNode Job)>> RunAsync(
        Dictionary<string, string?> settings, string example, JsonObject? destination, IReadOnlyList<FileVariant> variants,
        IReadOnlyList<string>? audiences = null)
    {
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobs = new List<(FileVariant, JsonNode)>();
        foreach (var variant in variants)
        {
            var body = JsonNode.Parse(HttpJson.WithAudiences(HttpJson.Example(example), audiences ?? Audiences,
                First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))!.AsObject();
            variant.ApplyTo(body);
            if (destination is not null)
            {
                body["destination"] = destination.DeepClone();
            }

            using var created = await host.Client.PostExportAsync(body.ToJsonString());
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
            var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
            jobs.Add((variant, job));
        }

        return jobs;
    }

    /// <summary>The demo account's figures of <paramref name="audiences"/> in the window, from SQLite, sorted.</summary>
    public static List<SourceRow> Expected(string database, IReadOnlyList<string> audiences)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT audience_name, day, contact_count FROM audience_daily_size " +
            "WHERE account_id = 'demo' AND day BETWEEN $first AND $last";
        query.Parameters.AddWithValue("$first", First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        query.Parameters.AddWithValue("$last", Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        using var reader = query.ExecuteReader();
        var rows = new List<SourceRow>();
        while (reader.Read())
        {
            if (audiences.Contains(reader.GetString(0)))
            {
                rows.Add(new SourceRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        return Sorted(rows);
    }

    public static List<SourceRow> Sorted(IEnumerable<SourceRow> rows) =>
        [.. rows.OrderBy(r => r.Audience, StringComparer.Ordinal).ThenBy(r => r.Date, StringComparer.Ordinal)];

    /// <summary>
    /// The stored file (its bytes at <paramref name="storedPath"/>, named as delivered) holds exactly the source's
    /// figures as DuckDB reads them; a Parquet file has typed columns; the result's name, rows, size and hash are the file's.
    /// </summary>
    public static void AssertStored(FileVariant variant, JsonNode job, string storedPath, string database, IReadOnlyList<string>? audiences = null)
    {
        audiences ??= Audiences;
        var expected = Expected(database, audiences);
        var stored = File.ReadAllBytes(storedPath);
        var result = job["result"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(storedPath), Is.EqualTo(variant.FileName));
            Assert.That(result["fileName"]!.GetValue<string>(), Is.EqualTo(variant.FileName));
            Assert.That(result["bytes"]!.GetValue<long>(), Is.EqualTo(stored.Length));
            Assert.That(result["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(stored))));
            Assert.That(stored.AsSpan().StartsWith(new byte[] { 0x1f, 0x8b }), Is.EqualTo(variant.Gzip), "gzip magic");
        });

        if (variant.Layout == "wide")
        {
            var (figures, days) = DuckDbFile.ReadWideJsonLines(storedPath);
            Assert.Multiple(() =>
            {
                Assert.That(Sorted(figures), Is.EqualTo(expected));
                Assert.That(days, Is.EqualTo(audiences.ToDictionary(a => a, _ => (long)(Last.DayNumber - First.DayNumber + 1))));
                Assert.That(result["rows"]!.GetValue<long>(), Is.EqualTo(audiences.Count));
            });
            return;
        }

        Assert.Multiple(() =>
        {
            Assert.That(Sorted(DuckDbFile.ReadLong(storedPath)), Is.EqualTo(expected));
            Assert.That(result["rows"]!.GetValue<long>(), Is.EqualTo(expected.Count));
        });
        if (variant.ExportType == "parquet")
        {
            Assert.That(DuckDbFile.Columns(storedPath), Is.EqualTo(new[] { "audience VARCHAR", "date DATE", "contact_count BIGINT" }));
        }
    }

    /// <summary>A stored file's bytes written under the name it was delivered as, in a temp folder of its own, for DuckDB.</summary>
    public static string SaveAs(byte[] bytes, string fileName)
    {
        var path = Path.Combine(TempFolders.Create("formats-"), fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>One export's file choice: <c>exportType</c>, <c>layout</c> (null: not sent), and gzip or not.</summary>
public sealed record FileVariant(string ExportType, string? Layout, bool Gzip)
{
    /// <summary>The export's name: unique per variant, so variants can share a folder.</summary>
    public string Name => $"trends-{ExportType}-{Layout ?? "default"}{(Gzip ? "-gz" : "")}";

    public string FileName => Name + "." + ExportType + (Gzip ? ".gz" : "");

    public void ApplyTo(JsonObject body)
    {
        body["name"] = Name;
        body["exportType"] = ExportType;
        if (Layout is not null)
        {
            body["layout"] = Layout;
        }

        if (Gzip)
        {
            body["compression"] = "gzip";
        }
    }

    public override string ToString() => Name;
}
