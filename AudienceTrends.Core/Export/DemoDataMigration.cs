using AudienceTrends.Core.Export.Sql;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Export;

/// <summary>
/// A demo file written before accounts existed has <c>audience</c> and <c>audience_daily_size</c> without
/// <c>account_id</c>, which every query now filters by: left so, every export would fail. Demo seeding migrates such
/// a file in place rather than recreating it, so that rows someone added to the demo file by hand survive: every
/// existing row becomes the demo account's (<see cref="DemoAccount.Id"/>), the account that owned all data before
/// accounts existed. SQLite cannot change a table's primary key, so both tables are rebuilt (renamed, created in the
/// current shape, copied, dropped) inside the seeding's transaction: a failure leaves the old file as it was. Only the
/// demo file is migrated; a database of a customer's own is upgraded by its owner (Sql/README.md).
/// </summary>
internal static class DemoDataMigration
{
    private const string OldAudience = "audience_before_accounts";
    private const string OldDailySize = "audience_daily_size_before_accounts";

    /// <returns>True when the file had the old shape and was migrated.</returns>
    public static bool MigrateIfBeforeAccounts(
        SqliteConnection connection, SqliteTransaction transaction, SqlCommandGuard guard, ILogger logger)
    {
        if (!IsBeforeAccounts(connection, transaction, guard, "audience"))
        {
            return false;
        }

        var dailySizeToo = IsBeforeAccounts(connection, transaction, guard, "audience_daily_size");

        // Each statement on its own: the copies name tables that only exist once the statements before them ran.
        Execute($"ALTER TABLE audience RENAME TO {OldAudience}");
        if (dailySizeToo)
        {
            Execute($"ALTER TABLE audience_daily_size RENAME TO {OldDailySize}");
        }

        Execute(SqlScripts.SqliteSchema);
        var audiences = Execute(
            $"INSERT INTO audience (account_id, name) SELECT @account, name FROM {OldAudience}", DemoAccount.Id.Value);
        var rows = 0;
        if (dailySizeToo)
        {
            rows = Execute(
                "INSERT INTO audience_daily_size (account_id, audience_name, day, contact_count) " +
                $"SELECT @account, audience_name, day, contact_count FROM {OldDailySize}",
                DemoAccount.Id.Value);
            Execute($"DROP TABLE {OldDailySize}");
        }

        Execute($"DROP TABLE {OldAudience}");
        logger.LogInformation(
            "Migrated the demo database written before accounts: {Audiences} audiences and {Rows} daily figures now belong to account {Account}",
            audiences, rows, DemoAccount.Id);
        return true;

        int Execute(string sql, string? account = null) => connection.Execute(guard.Command(
            sql, account is null ? [] : [new SqlArgument("account", account)], 60, CancellationToken.None, transaction));
    }

    /// <summary>The table exists (as a table, not a view) and has no <c>account_id</c> column.</summary>
    private static bool IsBeforeAccounts(
        SqliteConnection connection, SqliteTransaction transaction, SqlCommandGuard guard, string table) =>
        connection.ExecuteScalar<long>(guard.Command(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @table) " +
            "AND NOT EXISTS (SELECT 1 FROM pragma_table_info(@table) WHERE name = 'account_id')",
            [new SqlArgument("table", table)],
            60,
            CancellationToken.None,
            transaction)) == 1;
}
