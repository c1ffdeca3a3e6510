using System.Collections;
using System.Data;
using System.Data.Common;
using Dapper;

namespace AudienceTrends.Core.Export;

public static class SqlLimits
{
    /// <summary>SQL Server rejects a statement with more parameters than this; SQLite accepts more, so tests on SQLite would not notice.</summary>
    public const int MaxParametersPerStatement = 2100;
}

/// <summary>One named value of a statement; a list value is expanded by Dapper into one parameter per element.</summary>
internal readonly record struct SqlArgument(string Name, object Value, DbType? Type = null);

/// <summary>
/// The single way this area builds a command: counts the parameters Dapper will send (lists expanded) and refuses a
/// statement over <see cref="SqlLimits.MaxParametersPerStatement"/> before anything reaches the database.
/// </summary>
internal sealed class SqlCommandGuard(Action<string, int>? observe = null)
{
    public CommandDefinition Command(
        string sql,
        IReadOnlyList<SqlArgument> arguments,
        int timeoutSeconds,
        CancellationToken cancellationToken,
        IDbTransaction? transaction = null)
    {
        Check(sql, CountParameters(arguments));
        var parameters = new DynamicParameters();
        foreach (var argument in arguments)
        {
            parameters.Add(argument.Name, argument.Value, argument.Type);
        }

        return new CommandDefinition(sql, parameters, transaction, timeoutSeconds, cancellationToken: cancellationToken);
    }

    /// <summary>For commands built without Dapper (the demo seeding's prepared insert).</summary>
    public void Check(DbCommand command) => Check(command.CommandText, command.Parameters.Count);

    public static int CountParameters(IEnumerable<SqlArgument> arguments)
    {
        // Padding would send more parameters than the list holds; the count here would then be wrong.
        if (SqlMapper.Settings.PadListExpansions)
        {
            throw new InvalidOperationException("Dapper's PadListExpansions must stay off: the parameter guard counts unpadded lists.");
        }

        var count = 0;
        foreach (var argument in arguments)
        {
            count += argument.Value switch
            {
                string or byte[] => 1,
                ICollection list => Math.Max(1, list.Count), // Dapper sends one placeholder for an empty list
                IEnumerable list => Math.Max(1, list.Cast<object>().Count()),
                _ => 1,
            };
        }

        return count;
    }

    /// <summary>For statements run through SQLite's C API (<see cref="SqliteTrendReader"/>), once per execution.</summary>
    public void Check(string sql, int parameterCount)
    {
        observe?.Invoke(sql, parameterCount);
        if (parameterCount > SqlLimits.MaxParametersPerStatement)
        {
            throw new InvalidOperationException(
                $"A statement would send {parameterCount} parameters; SQL Server accepts at most " +
                $"{SqlLimits.MaxParametersPerStatement}. Lower Database:AudienceChunkSize.");
        }
    }
}
