using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using AudienceTrends.Core.Accounts;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AudienceTrends.Core.Export;

/// <summary>
/// SQLite's hot loop: each audience's days and counts through SQLite's C API (the SQLitePCLRaw calls Microsoft.Data.Sqlite
/// itself makes), one prepared statement reused for every audience. Per row that is a step and two column reads, the
/// day read as its UTF-8 bytes in place: no string, no boxing, none of the data reader's per-value checks. The SQL text
/// is the same <see cref="SqlAudienceTrendSource.AudienceTrendSql"/>, and every execution passes the parameter guard.
/// </summary>
internal static class SqliteTrendReader
{
    /// <summary>Reads <paramref name="names"/> (each stored exactly so for <paramref name="account"/>) into their rows of <paramref name="counts"/>.</summary>
    /// <returns>The number of rows read.</returns>
    public static long Read(
        SqliteConnection connection,
        SqlCommandGuard guard,
        AccountId account,
        string[] names,
        Dictionary<string, long?[]> counts,
        DateOnly firstDay,
        int dayCount,
        int timeoutSeconds,
        CancellationToken cancellationToken)
    {
        const string sql = SqlAudienceTrendSource.AudienceTrendSql;
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        using (statement)
        {
            var name = raw.sqlite3_bind_parameter_index(statement, "@name");
            Bind(db, statement, "@account", account.Value);
            Bind(db, statement, "@first", SqlAudienceTrendSource.IsoDay(firstDay));
            Bind(db, statement, "@last", SqlAudienceTrendSource.IsoDay(firstDay.AddDays(dayCount - 1)));
            long rows = 0;
            foreach (var audience in names)
            {
                cancellationToken.ThrowIfCancellationRequested(); // the native steps do not look at the token
                guard.Check(sql, parameterCount: 4);
                SqliteException.ThrowExceptionForRC(raw.sqlite3_reset(statement), db);
                SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, name, audience), db);
                rows += ReadAudience(
                    db, statement, audience, counts[audience], firstDay.DayNumber, dayCount, timeoutSeconds, cancellationToken);
            }

            return rows;
        }
    }

    // Hot loops are compiled fully optimised at once: tiered compilation would run the first jobs after a start, and
    // the first rows of every big one, in unoptimised code while the JIT competes for the cores.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long ReadAudience(
        sqlite3 db,
        sqlite3_stmt statement,
        string audience,
        long?[] counts,
        int firstDayNumber,
        int dayCount,
        int timeoutSeconds,
        CancellationToken cancellationToken)
    {
        long rows = 0;
        Stopwatch? busy = null;
        var row = new Row(statement);
        while (true)
        {
            var rc = row.Step();
            if (rc == raw.SQLITE_ROW)
            {
                rows++;
                var index = ParseIsoDayNumber(row.Day()) - firstDayNumber;
                var count = row.Count();
                // NULL reads as 0: only a 0 needs the type check, which the contract's NOT NULL makes an error.
                if (count == 0 && raw.sqlite3_column_type(statement, 1) == raw.SQLITE_NULL)
                {
                    throw SqlAudienceTrendSource.NullCount(audience);
                }

                if ((uint)index < (uint)dayCount)
                {
                    counts[index] = count;
                }
            }
            else if (rc == raw.SQLITE_DONE)
            {
                return rows;
            }
            else if ((rc == raw.SQLITE_BUSY || rc == raw.SQLITE_LOCKED) &&
                     (busy ??= Stopwatch.StartNew()).Elapsed.TotalSeconds < timeoutSeconds)
            {
                // A writer holds the database: wait as Microsoft.Data.Sqlite does, up to the command timeout.
                raw.sqlite3_reset(statement);
                cancellationToken.WaitHandle.WaitOne(10);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                SqliteException.ThrowExceptionForRC(rc, db);
                return rows;
            }
        }
    }

    private static void Bind(sqlite3 db, sqlite3_stmt statement, string parameter, string value) =>
        SqliteException.ThrowExceptionForRC(
            raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, parameter), value), db);

    /// <summary>Parses SQLite's <c>yyyy-MM-dd</c> text as UTF-8 bytes, read in place: it runs once per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int ParseIsoDayNumber(ReadOnlySpan<byte> text) =>
        DayNumberOrMinusOne(text) is var number and >= 0 ? number : throw NotIsoDay(Encoding.UTF8.GetString(text));

    /// <summary>The same for text the data reader returned (the chunk query's path).</summary>
    internal static int ParseIsoDayNumber(ReadOnlySpan<char> text)
    {
        Span<byte> bytes = stackalloc byte[10];
        var ascii = text.Length == bytes.Length && Ascii.FromUtf16(text, bytes, out _) == OperationStatus.Done;
        return ascii && DayNumberOrMinusOne(bytes) is var number and >= 0 ? number : throw NotIsoDay(text.ToString());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DayNumberOrMinusOne(ReadOnlySpan<byte> text)
    {
        if (text.Length == 10 && text[4] == '-' && text[7] == '-')
        {
            var year = Digits(text[..4]);
            var month = Digits(text[5..7]);
            var day = Digits(text[8..]);
            if (year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
            {
                return new DateOnly(year, month, day).DayNumber;
            }
        }

        return -1;
    }

    private static InvalidDataException NotIsoDay(string text) => new(
        $"audience_daily_size.day '{text}' is not a yyyy-MM-dd date, as the SQL contract requires on SQLite.");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Digits(ReadOnlySpan<byte> text)
    {
        var value = 0;
        foreach (var c in text)
        {
            var digit = (uint)(c - '0');
            if (digit > 9)
            {
                return -1;
            }

            value = (value * 10) + (int)digit;
        }

        return value;
    }

    /// <summary>
    /// The per-row calls. SQLitePCLRaw passes the statement as a SafeHandle, reference-counted on every call: per row
    /// that costs as much as SQLite's own step. When the library is the e_sqlite3 that Microsoft.Data.Sqlite ships (it
    /// always is here), the same functions of the same library are called with the raw pointer instead; the getters,
    /// which never block, without a GC transition. The statement stays alive: the caller holds its SafeHandle.
    /// </summary>
    private readonly struct Row(sqlite3_stmt statement)
    {
        private static readonly bool Direct = raw.GetNativeLibraryName() == Native.Library;
        private readonly IntPtr _handle = statement.DangerousGetHandle();
        private readonly byte[] _day = new byte[10];

        public int Step() => Direct ? Native.Step(_handle) : raw.sqlite3_step(statement);

        public long Count() => Direct ? Native.ColumnInt64(_handle, 1) : raw.sqlite3_column_int64(statement, 1);

        /// <summary>The day's UTF-8 bytes; any other length than 10 is not a valid day and is read the slow way.</summary>
        public ReadOnlySpan<byte> Day()
        {
            if (Direct && Native.ColumnBytes(_handle, 0) == _day.Length)
            {
                Marshal.Copy(Native.ColumnBlob(_handle, 0), _day, 0, _day.Length);
                return _day;
            }

            return raw.sqlite3_column_blob(statement, 0);
        }
    }

    private static class Native
    {
        public const string Library = "e_sqlite3";

        [DllImport(Library, EntryPoint = "sqlite3_step")]
        public static extern int Step(IntPtr statement);

        [DllImport(Library, EntryPoint = "sqlite3_column_int64")]
        [SuppressGCTransition]
        public static extern long ColumnInt64(IntPtr statement, int column);

        [DllImport(Library, EntryPoint = "sqlite3_column_blob")]
        [SuppressGCTransition]
        public static extern IntPtr ColumnBlob(IntPtr statement, int column);

        [DllImport(Library, EntryPoint = "sqlite3_column_bytes")]
        [SuppressGCTransition]
        public static extern int ColumnBytes(IntPtr statement, int column);
    }
}
