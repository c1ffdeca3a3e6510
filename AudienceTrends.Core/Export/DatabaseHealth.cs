using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Whether the SQL contract's database answers: opens a connection (seeding the local demo data first when configured,
/// as an export would) and reads no row of <c>audience_daily_size</c>, so a missing table counts as unreachable.
/// </summary>
public sealed class DatabaseHealth(IOptions<DatabaseOptions> options, ILogger<DatabaseHealth> logger)
{
    internal const string ProbeSql = "SELECT 1 FROM audience_daily_size WHERE 1 = 0";

    /// <summary>Completes when the database answered; throws what the driver threw otherwise.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var database = options.Value;
        if (database.SeedDemoData && database.Provider == DatabaseProvider.Sqlite)
        {
            await DemoData.EnsureSeededAsync(database.EffectiveConnectionString, new SqlCommandGuard(), logger, cancellationToken);
        }

        await using var connection = DatabaseConnections.Create(database);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync(new CommandDefinition(ProbeSql, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: cancellationToken));
    }
}
