using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Core.Export;

internal static class DatabaseConnections
{
    public static DbConnection Create(DatabaseOptions options) => options.Provider switch
    {
        DatabaseProvider.SqlServer => new SqlConnection(options.EffectiveConnectionString),
        _ => new SqliteConnection(options.EffectiveConnectionString),
    };
}
