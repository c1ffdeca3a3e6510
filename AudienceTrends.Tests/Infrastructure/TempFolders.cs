using System.Collections.Concurrent;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Temp folders that must outlive a single test's objects (a database a host reads after the test body built it):
/// created or registered here, deleted by the test run's teardown (TestRunTeardown), so a run leaves none behind.
/// </summary>
public static class TempFolders
{
    private static readonly ConcurrentBag<string> Folders = [];

    public static string Create(string prefix) => Track(Directory.CreateTempSubdirectory(prefix).FullName);

    public static string Track(string folder)
    {
        Folders.Add(folder);
        return folder;
    }

    internal static void DeleteAll()
    {
        while (Folders.TryTake(out var folder))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
