namespace AudienceTrends.Core.Export.Sql;

/// <summary>The contract's schema scripts, embedded in the assembly (see README.md next to them).</summary>
public static class SqlScripts
{
    public static string SqliteSchema => Read("sqlite-schema.sql");

    public static string SqlServerSchema => Read("sqlserver-schema.sql");

    private static string Read(string fileName)
    {
        var resource = $"{typeof(SqlScripts).Namespace}.{fileName}";
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
