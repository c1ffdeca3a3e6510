namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// Where a file-storing kind's probe writes, renames and deletes its probe file: the kind's own client, logged in,
/// aimed at the folder an export would write to. Details name what was done, never a secret.
/// </summary>
public interface IProbeFileStore
{
    /// <summary>Whether exports to this kind write a temporary name and rename it (SFTP, FTP); object stores do not.</summary>
    bool Renames { get; }

    /// <summary>Writes <paramref name="content"/> as <paramref name="name"/> in the export's folder, creating the folder as an export would.</summary>
    Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken);

    Task<string> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Best effort, never throws: removes whichever of <paramref name="names"/> exist and any folder the write
    /// created, after a step failed (or, with no names left, after a clean run, for the folders alone).
    /// </summary>
    Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);
}

/// <summary>The write, rename and delete steps every file-storing kind runs, and the clean-up that always follows.</summary>
public static class ProbeFile
{
    public static ReadOnlyMemory<byte> Content { get; } = "audiencetrends destination test\n"u8.ToArray();

    /// <summary>A file name's endings in every export format (<c>.csv</c>, <c>.jsonl.gz</c>, <c>.parquet</c>...).</summary>
    private static readonly string[] ExportEndings =
        [.. ExportFile.Formats.SelectMany(format => new[] { "." + format, "." + format + ".gz" })];

    /// <summary>
    /// The folder an export writes into for an object-store <c>path</c>: a path naming the object itself (ending in
    /// an export's extension, <c>.csv</c>, <c>.csv.gz</c>, <c>.parquet</c>..., see <see cref="DestinationPath.ObjectKey"/>)
    /// is in its parent folder. The destination test knows no format, so any export's extension counts.
    /// </summary>
    public static string? ObjectFolder(string? path) =>
        path is not null && ExportEndings.Any(ending => path.EndsWith(ending, StringComparison.OrdinalIgnoreCase))
            ? string.Join('/', DestinationPath.ObjectPrefix(path).Split('/').SkipLast(1))
            : path;

    /// <summary>
    /// Writes a uniquely named hidden probe file, renames it where the kind renames, deletes it; each step within
    /// <paramref name="operationTimeout"/>. Whatever happens, the probe file is deleted afterwards, within the clean-up's own
    /// limit (<see cref="ProbeSteps.StartCleanUp"/>), which a step that used up the budget does not shorten.
    /// </summary>
    public static async Task RunAsync(ProbeSteps steps, IProbeFileStore store, TimeSpan operationTimeout)
    {
        var id = Guid.NewGuid().ToString("N");
        var written = $".audiencetrends-probe-{id}.tmp";
        var renamed = $".audiencetrends-probe-{id}.txt";
        // A step abandoned at its timeout may still finish later, so the set is only touched under its lock.
        var mayExist = new HashSet<string>(StringComparer.Ordinal);
        void Track(string name, bool exists)
        {
            lock (mayExist)
            {
                _ = exists ? mayExist.Add(name) : mayExist.Remove(name);
            }
        }

        try
        {
            await steps.RunAsync("write", operationTimeout, token =>
            {
                Track(written, exists: true);
                return store.WriteAsync(written, Content, token);
            });
            var current = written;
            if (store.Renames)
            {
                await steps.RunAsync("rename", operationTimeout, async token =>
                {
                    Track(renamed, exists: true);
                    var detail = await store.RenameAsync(written, renamed, token);
                    Track(written, exists: false);
                    return detail;
                });
                current = renamed;
            }

            await steps.RunAsync("delete", operationTimeout, async token =>
            {
                var detail = await store.DeleteAsync(current, token);
                Track(current, exists: false);
                return detail;
            });
        }
        finally
        {
            string[] left;
            lock (mayExist)
            {
                left = [.. mayExist];
            }

            await store.CleanUpAsync(left, steps.StartCleanUp());
        }
    }
}
