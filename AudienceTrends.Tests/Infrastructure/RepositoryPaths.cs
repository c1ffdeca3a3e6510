namespace AudienceTrends.Tests.Infrastructure;

public static class RepositoryPaths
{
    public static string Root => RepositoryRootAttribute.Value;

    public static string NodeModules => Path.Combine(Root, "node_modules");

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
