using System.Diagnostics;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.LocalHost;

/// <summary>
/// What a newcomer has after <c>git clone</c>: the working tree's tracked and new files (as <c>git ls-files</c> lists
/// them, so no bin/obj/.artifacts, no local.settings.json, no .azurite), in a temp folder deleted on dispose.
/// node_modules is linked from the repository to save the npm install the script would otherwise run.
/// </summary>
public sealed class WorkingTreeCopy : IDisposable
{
    private WorkingTreeCopy(string root) => Root = root;

    public string Root { get; }

    public static WorkingTreeCopy Create()
    {
        var root = Directory.CreateTempSubdirectory("audiencetrends-clone-").FullName;
        var copy = new WorkingTreeCopy(root);
        try
        {
            foreach (var file in GitFiles())
            {
                var source = RepositoryPaths.Combine(file);
                if (!File.Exists(source))
                {
                    continue; // deleted in the working tree, not yet committed
                }

                var target = Path.Combine(root, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }

            Directory.CreateSymbolicLink(Path.Combine(root, "node_modules"), RepositoryPaths.NodeModules);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private static IEnumerable<string> GitFiles()
    {
        var start = new ProcessStartInfo("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException("git ls-files failed in " + RepositoryPaths.Root);
        }

        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            var nodeModules = new DirectoryInfo(Path.Combine(Root, "node_modules"));
            if (nodeModules.LinkTarget is not null)
            {
                nodeModules.Delete(); // the link only, never the repository's packages
            }

            Directory.Delete(Root, recursive: true);
        }
    }
}
