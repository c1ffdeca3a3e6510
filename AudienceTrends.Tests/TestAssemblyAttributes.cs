namespace AudienceTrends.Tests;

/// <summary>The repository root, written by the build so tests find committed files (examples, infra, host.json).</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RepositoryRootAttribute(string path) : Attribute
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static string Value =>
        typeof(RepositoryRootAttribute).Assembly.GetCustomAttributes(typeof(RepositoryRootAttribute), false)
            .Cast<RepositoryRootAttribute>().Single().Path;
}

/// <summary>Where NuGet restored the Bicep command line package.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BicepPathAttribute(string path) : Attribute
{
    public string Path { get; } = path;
}
