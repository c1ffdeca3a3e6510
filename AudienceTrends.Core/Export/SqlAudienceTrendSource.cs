using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Common.Telemetry;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Reads the SQL contract (Export/Sql/README.md) with portable SQL, the same text for SQL Server and SQLite; only the
/// values of the day parameters differ per provider. Names match exactly (ordinal, case-sensitive) whatever the
/// database's collation: rows a case-insensitive collation returns for another spelling are ignored. Every statement
/// filters by the caller's account (<c>account_id = @account</c>): another account's audiences are unknown here.
/// SQL Server gets one statement per chunk of audiences (one round trip each). The embedded SQLite has no round trip
/// but a cost per value read, so there each audience gets its own statement returning only day and count, read
/// through SQLite's C API (<see cref="SqliteTrendReader"/>): the name is not read on every row.
/// </summary>
public sealed class SqlAudienceTrendSource : IAudienceTrendSource
{
    internal const string KnownNamesSql = "SELECT name FROM audience WHERE account_id = @account AND name IN @names";

    internal const string TrendsSql =
        "SELECT audience_name, day, contact_count FROM audience_daily_size " +
        "WHERE account_id = @account AND audience_name IN @names AND day BETWEEN @first AND @last " +
        "ORDER BY audience_name, day";

    internal const string AudienceTrendSql =
        "SELECT day, contact_count FROM audience_daily_size " +
        "WHERE account_id = @account AND audience_name = @name AND day BETWEEN @first AND @last ORDER BY day";

    private readonly DatabaseOptions options;
    private readonly ILogger logger;
    private readonly SqlCommandGuard guard;
    private readonly bool statementPerAudience;

    public SqlAudienceTrendSource(IOptions<DatabaseOptions> options, ILogger<SqlAudienceTrendSource> logger)
        : this(options.Value, logger, new SqlCommandGuard())
    {
    }

    /// <param name="statementPerAudience">Tests set it to run either strategy on SQLite; by default SQLite only.</param>
    internal SqlAudienceTrendSource(
        DatabaseOptions options, ILogger logger, SqlCommandGuard guard, bool? statementPerAudience = null)
    {
        this.options = options;
        this.logger = logger;
        this.guard = guard;
        this.statementPerAudience = statementPerAudience ?? options.Provider == DatabaseProvider.Sqlite;
    }

    public async Task<IReadOnlyList<string>> FindUnknownAsync(
        AccountId account,
        IReadOnlyList<string> audienceNames, CancellationToken cancellationToken)
    {
        var owner = AccountArgument(account);
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = await OpenAsync(cancellationToken))
        {
            foreach (var chunk in audienceNames.Distinct(StringComparer.Ordinal).Chunk(options.AudienceChunkSize))
            {
                var command = guard.Command(
                    KnownNamesSql, [owner, new SqlArgument("names", chunk)], options.CommandTimeoutSeconds, cancellationToken);
                await using var reader = await connection.ExecuteReaderAsync(command);
                while (await reader.ReadAsync(cancellationToken))
                {
                    known.Add(reader.GetString(0));
                }
            }
        }

        return audienceNames.Where(name => !known.Contains(name)).Distinct(StringComparer.Ordinal).ToList();
    }

    public async IAsyncEnumerable<AudienceTrend> ReadTrendsAsync(
        AccountId account,
        IReadOnlyList<string> audienceNames,
        DateOnly firstDay,
        DateOnly lastDay,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastDay, firstDay);
        var owner = AccountArgument(account);
        var dayCount = lastDay.DayNumber - firstDay.DayNumber + 1;
        var first = DayArgument("first", firstDay);
        var last = DayArgument("last", lastDay);
        long rows = 0;
        var statements = 0;

        // The read's span (no SQL text, no audience name): its end is the last figure read or the consumer stopping.
        using var span = AppTelemetry.StartSqlRead(options.Provider == DatabaseProvider.Sqlite ? "sqlite" : "microsoft.sql_server");
        await using var connection = await OpenAsync(cancellationToken);
        await using var second = statementPerAudience ? await OpenAsync(cancellationToken) : null;
        using var chunks = audienceNames.Chunk(options.AudienceChunkSize).GetEnumerator();
        var pending = chunks.MoveNext() ? ReadAheadAsync(chunks.Current) : null;
        try
        {
            while (pending is not null)
            {
                var (chunk, counts) = await pending;
                cancellationToken.ThrowIfCancellationRequested(); // the next chunk may have been read already

                // The next chunk is read while this one is written: at most two chunks' figures are in memory.
                pending = chunks.MoveNext() ? ReadAheadAsync(chunks.Current) : null;
                foreach (var name in chunk)
                {
                    yield return new AudienceTrend(name, counts[name]);
                }
            }
        }
        finally
        {
            if (pending is not null)
            {
                // Enumeration stopped early: let the read finish before its connections are disposed. Its outcome
                // no longer matters (the consumer's own error or cancellation is what propagates).
                await Task.WhenAny(pending);
                _ = pending.Exception;
            }
        }

        span?.SetTag("db.response.returned_rows", rows);
        logger.LogInformation(
            "Read {Rows} daily figures for {Audiences} audiences over {Days} days in {Statements} statements",
            rows, audienceNames.Count, dayCount, statements);

        Task<(string[] Chunk, Dictionary<string, long?[]> Counts)> ReadAheadAsync(string[] chunk) =>
            Task.Run(() => ReadCountsAsync(chunk), cancellationToken);

        async Task<(string[] Chunk, Dictionary<string, long?[]> Counts)> ReadCountsAsync(string[] chunk)
        {
            // Duplicates in the request share one row of counts.
            var counts = new Dictionary<string, long?[]>(chunk.Length, StringComparer.Ordinal);
            foreach (var name in chunk)
            {
                if (!counts.ContainsKey(name))
                {
                    counts.Add(name, new long?[dayCount]);
                }
            }

            var byChunk = counts.Keys.ToArray();
            if (statementPerAudience)
            {
                var known = (await KnownAsync(connection, owner, byChunk, cancellationToken)).ToArray();
                statements += 1 + known.Length;

                // Reading is CPU work in SQLite's native calls, on the calling thread. SQLite serves
                // several connections of one process at once: each of two connections reads half of the audiences.
                // Both halves finish before the chunk is returned (or fails), so no read outlives its connection.
                var half = known.Length / 2;
                var read = await Task.WhenAll(ReadHalf(connection, known[..half]), ReadHalf(second!, known[half..]));
                rows += read[0] + read[1];

                // Names not stored exactly so (other spellings, unknown names) take the chunk query and its name check.
                byChunk = byChunk.Except(known, StringComparer.Ordinal).ToArray();

                // Own threads, not the pool's: on two cores, two blocking reads on pool threads hold up the CSV
                // writer's and the upload's continuations until the pool adds threads.
                Task<long> ReadHalf(DbConnection halfConnection, string[] names) => Task.Factory.StartNew(
                    () => SqliteTrendReader.Read((SqliteConnection)halfConnection, guard, account, names, counts, firstDay, dayCount,
                        options.CommandTimeoutSeconds, cancellationToken),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default);
            }

            if (byChunk.Length > 0)
            {
                var command = guard.Command(
                    TrendsSql,
                    [owner, new SqlArgument("names", byChunk), first, last],
                    options.CommandTimeoutSeconds,
                    cancellationToken);
                statements++;
                rows += await ReadChunkAsync(connection, command, counts, firstDay.DayNumber, dayCount, cancellationToken);
            }

            return (chunk, counts);
        }
    }

    /// <summary>
    /// The requested names stored in the account's <c>audience</c> rows exactly so. <c>(account_id, name)</c> is the
    /// key, unique under its collation, and <c>audience_daily_size</c> holds the same pairs (the contract), so a
    /// statement for the account and one of these names returns only that audience's rows, whatever the collation.
    /// </summary>
    private async Task<HashSet<string>> KnownAsync(
        DbConnection connection, SqlArgument owner, string[] names, CancellationToken cancellationToken)
    {
        var requested = names.ToHashSet(StringComparer.Ordinal);
        var known = new HashSet<string>(StringComparer.Ordinal);
        var command = guard.Command(
            KnownNamesSql, [owner, new SqlArgument("names", names)], options.CommandTimeoutSeconds, cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(command);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (requested.Contains(name))
            {
                known.Add(name);
            }
        }

        return known;
    }

    internal static InvalidDataException NullCount(string audience) => new(
        $"audience_daily_size.contact_count is NULL for audience '{audience}'; the SQL contract requires a count on every row.");

    private async Task<long> ReadChunkAsync(
        DbConnection connection,
        CommandDefinition command,
        Dictionary<string, long?[]> counts,
        int firstDayNumber,
        int dayCount,
        CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(command);
        var sqlServer = options.Provider == DatabaseProvider.SqlServer;

        // A view may expose the count as INT; SqlClient does not widen it for GetInt64.
        var countIsInt32 = sqlServer && reader.GetFieldType(2) == typeof(int);
        string? currentName = null;
        long?[]? current = null;
        long rows = 0;
        // Microsoft.Data.Sqlite has no asynchronous I/O: its ReadAsync only wraps Read in a task, a cost paid per row.
        while (sqlServer ? await reader.ReadAsync(cancellationToken) : reader.Read())
        {
            if ((++rows & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested(); // the synchronous Read does not look at the token
            }

            var name = reader.GetString(0);
            if (!string.Equals(name, currentName, StringComparison.Ordinal))
            {
                currentName = name;
                counts.TryGetValue(name, out current);
            }

            if (current is null)
            {
                continue; // another spelling matched by a case-insensitive collation
            }

            var dayNumber = sqlServer
                ? DateOnly.FromDateTime(reader.GetDateTime(1)).DayNumber
                : SqliteTrendReader.ParseIsoDayNumber(reader.GetString(1));
            var index = dayNumber - firstDayNumber;
            if ((uint)index >= (uint)dayCount)
            {
                continue;
            }

            current[index] = reader.IsDBNull(2) ? throw NullCount(name)
                : countIsInt32 ? reader.GetInt32(2) : reader.GetInt64(2);
        }

        return rows;
    }

    /// <summary>The caller's account, always a parameter: an id is never part of the SQL text.</summary>
    private static SqlArgument AccountArgument(AccountId account) => new(
        "account",
        account.Value ?? throw new ArgumentException("An account is required to read audience data.", nameof(account)),
        DbType.String);

    private SqlArgument DayArgument(string name, DateOnly day) => options.Provider == DatabaseProvider.SqlServer
        ? new SqlArgument(name, day.ToDateTime(TimeOnly.MinValue), DbType.Date)
        : new SqlArgument(name, IsoDay(day), DbType.String);

    /// <summary>A day as SQLite stores it under the contract.</summary>
    internal static string IsoDay(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (options.SeedDemoData && options.Provider == DatabaseProvider.Sqlite)
        {
            await DemoData.EnsureSeededAsync(options.EffectiveConnectionString, guard, logger, cancellationToken);
        }

        var connection = DatabaseConnections.Create(options);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
