using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Local OS accounts for the tests' own sshd and vsftpd, new for every test run: a fixed name shared by two runs on
/// one machine (two worktrees, two <c>dotnet test</c> processes) would let the second re-home or re-password the
/// first's user mid-test. Each name gets a random suffix and the account's comment names the run that owns it (its
/// process id and start time), so a later run can remove what a run that died left behind: the account, its server
/// processes and its root folder.
/// </summary>
internal static class RunUsers
{
    private const string Marker = "audiencetrends-test-run";

    private static readonly string Owner = ProcessIdentity(Environment.ProcessId)
        ?? throw new InvalidOperationException("Cannot read this process's start time from /proc.");

    private static readonly Lazy<bool> DeadRunsSwept = new(SweepDeadRuns);

    /// <summary>One account change at a time in this run: the sshd and vsftpd set-ups may run in parallel.</summary>
    private static readonly Lock Gate = new();

    /// <summary>
    /// Creates <c>&lt;prefix&gt;_&lt;8 hex&gt;</c> (at most 32 characters, as useradd requires) with its home
    /// folder <paramref name="home"/>, which must lie directly in the server's root folder; a null password makes a
    /// key-only account. Returns the name.
    /// </summary>
    public static string Create(string prefix, string home, string shell, string? password)
    {
        lock (Gate)
        {
            return CreateLocked(prefix, home, shell, password);
        }
    }

    private static string CreateLocked(string prefix, string home, string shell, string? password)
    {
        _ = DeadRunsSwept.Value;
        var name = $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        TestHost.Run("useradd", ["-M", "-d", home, "-s", shell, "-c", $"{Marker} {Owner}", name]);
        Directory.CreateDirectory(home);
        TestHost.Run("chown", [$"{name}:", home]);
        if (password is null)
        {
            TestHost.Run("usermod", ["-p", "*", name]);
        }
        else
        {
            TestHost.Run("chpasswd", [], stdin: $"{name}:{password}\n");
        }

        return name;
    }

    /// <summary>Removes the account and its group (forced: a session the server's stop just killed may not be reaped yet).</summary>
    public static void Delete(string name)
    {
        lock (Gate)
        {
            TestHost.Run("userdel", ["-f", name]);
        }
    }

    /// <summary>
    /// Removes the accounts of runs whose process is gone (killed before its teardown), with the sshd or vsftpd still
    /// running from their root folder and the folder itself. Runs once per test run, before its first account.
    /// </summary>
    private static bool SweepDeadRuns()
    {
        var accounts = TestHost.Run("getent", ["passwd"]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length >= 6 && fields[4].StartsWith(Marker + " ", StringComparison.Ordinal));
        foreach (var fields in accounts)
        {
            var (name, owner, home) = (fields[0], fields[4][(Marker.Length + 1)..], fields[5]);
            if (!int.TryParse(owner.Split('/')[0], CultureInfo.InvariantCulture, out var pid) || ProcessIdentity(pid) == owner)
            {
                continue; // a live run's account (or not one this code wrote: left alone)
            }

            var root = Path.GetDirectoryName(home)!;
            KillProcessesUsing(root);
            TestHost.Run("userdel", ["-f", name], throwOnError: false); // another run may be sweeping it too
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return true;
    }

    /// <summary>Kills the processes whose command line names a file in <paramref name="root"/> (a dead run's servers).</summary>
    private static void KillProcessesUsing(string root)
    {
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                if (arguments.Any(argument => argument.StartsWith(root + "/", StringComparison.Ordinal)))
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // The process ended in the meantime.
            }
        }
    }

    /// <summary>
    /// <c>pid/start time</c> (clock ticks since boot, field 22 of <c>/proc/&lt;pid&gt;/stat</c>), so a recycled
    /// process id never passes for the run that died; null when no such process runs.
    /// </summary>
    private static string? ProcessIdentity(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return $"{pid}/{fields[19]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
