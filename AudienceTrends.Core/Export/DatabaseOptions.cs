using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Core.Export;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Where the audience data (the SQL contract in Export/Sql/README.md) is read from. Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Used when <see cref="Provider"/> is Sqlite and no connection string is set: a file next to the app.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=.data/audiencetrends.db";

    /// <summary>Three fixed parameters (the account, first and last day) go with the audience names in every trends query.</summary>
    public const int MaxAudienceChunkSize = SqlLimits.MaxParametersPerStatement - 3;

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for SqlServer; for Sqlite an empty value means <see cref="DefaultSqliteConnectionString"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Sqlite only: create the schema and fill it with demo audiences on first use.</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Audiences per statement; bounded so that no statement exceeds SQL Server's parameter limit.</summary>
    public int AudienceChunkSize { get; set; } = 500;

    public int CommandTimeoutSeconds { get; set; } = 60;

    /// <summary>The connection string to use, with the Sqlite default applied.</summary>
    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) && Provider == DatabaseProvider.Sqlite
            ? DefaultSqliteConnectionString
            : ConnectionString ?? "";

    /// <summary>Every problem with these options, each naming its setting. Messages never echo the connection string.</summary>
    public static IEnumerable<string> Validate(DatabaseOptions options)
    {
        if (!Enum.IsDefined(options.Provider))
        {
            yield return "Provider must be Sqlite or SqlServer.";
        }
        else if (string.IsNullOrWhiteSpace(options.EffectiveConnectionString))
        {
            yield return "ConnectionString is required when Provider is SqlServer.";
        }
        else if (!IsValidConnectionString(options.Provider, options.EffectiveConnectionString))
        {
            yield return $"ConnectionString is not a valid {options.Provider} connection string.";
        }

        if (options.SeedDemoData && options.Provider != DatabaseProvider.Sqlite)
        {
            yield return "SeedDemoData is only supported when Provider is Sqlite.";
        }

        if (options.AudienceChunkSize is < 1 or > MaxAudienceChunkSize)
        {
            yield return $"AudienceChunkSize must be between 1 and {MaxAudienceChunkSize} " +
                $"(SQL Server accepts at most {SqlLimits.MaxParametersPerStatement} parameters per statement).";
        }

        if (options.CommandTimeoutSeconds is < 1 or > 3600)
        {
            yield return "CommandTimeoutSeconds must be between 1 and 3600.";
        }
    }

    private static bool IsValidConnectionString(DatabaseProvider provider, string connectionString)
    {
        try
        {
            if (provider == DatabaseProvider.SqlServer)
            {
                _ = new SqlConnectionStringBuilder(connectionString);
            }
            else
            {
                var builder = new SqliteConnectionStringBuilder(connectionString);
                return !string.IsNullOrWhiteSpace(builder.DataSource);
            }

            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            return false;
        }
    }
}
