namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A lock shared by every test run on this machine, for what cannot be made per run (the example bodies' fixed
/// loopback ports and user): an exclusive <c>flock</c> on a file in /tmp (not TMPDIR, which scripts/test.sh makes per
/// run), which .NET takes for <see cref="FileShare.None"/>, released on dispose or when the run's process dies.
/// </summary>
public sealed class MachineLock : IDisposable
{
    private readonly FileStream _file;

    private MachineLock(FileStream file) => _file = file;

    /// <summary>Waits until no other run holds <paramref name="name"/>, at most <paramref name="timeout"/>.</summary>
    public static async Task<MachineLock> AcquireAsync(string name, TimeSpan timeout)
    {
        var path = Path.Combine("/tmp", $"audiencetrends-{name}.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new MachineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                await Task.Delay(200);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"Another test run held {path} for more than {timeout}.", e);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
