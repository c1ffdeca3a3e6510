using System.Globalization;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// What this test process holds open, read from Linux's /proc: its TCP sockets to a port (a socket counts while the
/// process still has a file descriptor for it, whatever its state) and its threads. A stalled transfer that was not
/// really stopped shows here as a socket to the server that stays open, often with bytes still queued, and as a
/// client library's reader thread that stays alive.
/// </summary>
internal static class ProcessResources
{
    /// <summary>Name prefixes (Linux keeps 15 characters) of the runtime's service threads.</summary>
    private static readonly string[] RuntimeThreads =
    [
        ".NET TP ", ".NET BGC", ".NET Server GC", ".NET Background", ".NET Timer", ".NET Tiered Com", ".NET SigHandler",
        ".NET Finalizer", ".NET SynchManag", ".NET EventPipe", ".NET DebugPipe", ".NET Debugger", ".NET Sockets",
        ".NET File Watch", ".NET Counter",
    ];

    /// <summary>One of this process's TCP sockets whose remote end is a given port.</summary>
    public sealed record Connection(int LocalPort, int RemotePort, string State, long QueuedBytes);

    /// <summary>This process's TCP sockets (IPv4 and IPv6) whose remote port is one of <paramref name="ports"/>.</summary>
    public static IReadOnlyList<Connection> ConnectionsTo(IEnumerable<int> ports)
    {
        var wanted = ports.ToHashSet();
        var inodes = SocketInodes();
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Select(Parse)
            .OfType<(Connection Connection, long Inode)>()
            .Where(c => wanted.Contains(c.Connection.RemotePort) && inodes.Contains(c.Inode))
            .Select(c => c.Connection)
            .ToList();
    }

    /// <summary>
    /// How many threads this process has besides the runtime's own service threads (the thread pool's, which come and
    /// go with load, and those it starts once on first need, such as the background GC's): what remains are the
    /// threads code started, among them a client library's reader (a long-running task, ".NET Long Running Task").
    /// </summary>
    public static int ThreadCount() => ThreadNames().Count(name => !RuntimeThreads.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    /// <summary>The names of this process's threads, for a failure message.</summary>
    public static IReadOnlyList<string> ThreadNames() => Directory.GetDirectories("/proc/self/task")
        .Select(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
            catch (IOException)
            {
                return null; // the thread ended while listing
            }
        })
        .OfType<string>()
        .ToList();

    /// <summary>
    /// Waits up to <paramref name="wait"/> for this process to hold no socket to <paramref name="ports"/> and, given
    /// <paramref name="threadsBefore"/>, no more threads of <see cref="ThreadCount"/> than that (of those sockets, only
    /// the ones from <paramref name="onlyLocalPorts"/> when given); returns what is left.
    /// </summary>
    public static async Task<(IReadOnlyList<Connection> Connections, int Threads)> SettledAsync(
        IEnumerable<int> ports, int? threadsBefore, TimeSpan wait, IReadOnlyCollection<int>? onlyLocalPorts = null)
    {
        var watched = ports.ToList();
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var connections = ConnectionsTo(watched).Where(c => onlyLocalPorts is null || onlyLocalPorts.Contains(c.LocalPort)).ToList();
            var threads = ThreadCount();
            if ((connections.Count == 0 && (threadsBefore is null || threads <= threadsBefore)) || DateTime.UtcNow > deadline)
            {
                return (connections, threads);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Waits a little for the process to hold no socket to <paramref name="ports"/> (whose server ends may still be
    /// open) and asserts it; given <paramref name="threadsBefore"/>, also no more threads than that. Given
    /// <paramref name="stalledClientPorts"/>, only those connections count (an HTTP client's idle pooled connection
    /// to the same server is not a stalled transfer). The thread count is the whole process's, so a test that checks
    /// it must run alone (<c>[NonParallelizable]</c> on its fixture): SFTP's, whose client runs a reader thread per
    /// session. The other kinds' clients run no thread of their own: what a stalled transfer leaves there is its socket.
    /// </summary>
    public static async Task AssertNothingLeftAsync(IEnumerable<int> ports, int? threadsBefore, IReadOnlyCollection<int>? stalledClientPorts = null)
    {
        var (connections, threads) = await SettledAsync(ports, threadsBefore, TimeSpan.FromSeconds(15), stalledClientPorts);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(connections, Is.Empty, "no socket to the server is left open");
            if (threadsBefore is not null)
            {
                Assert.That(threads, Is.LessThanOrEqualTo(threadsBefore), () => "no extra thread is left running: " + string.Join(", ", ThreadNames()));
            }
        }
    }

    /// <summary>The thread count once it stops changing for a moment: a baseline to compare with after a test.</summary>
    public static async Task<int> SteadyThreadCountAsync()
    {
        var previous = ThreadCount();
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(200);
            var current = ThreadCount();
            if (current == previous)
            {
                return current;
            }

            previous = current;
        }

        return previous;
    }

    private static HashSet<long> SocketInodes()
    {
        var inodes = new HashSet<long>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(long.Parse(target["socket:[".Length..^1], CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The descriptor was closed while listing.
            }
        }

        return inodes;
    }

    /// <summary>One line of /proc/net/tcp[6]: <c>sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...</c>.</summary>
    private static (Connection, long)? Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || !fields[0].EndsWith(':'))
        {
            return null;
        }

        static int Port(string endpoint) => int.Parse(endpoint[(endpoint.IndexOf(':') + 1)..], NumberStyles.HexNumber);
        var queues = fields[4].Split(':');
        var state = int.Parse(fields[3], NumberStyles.HexNumber) switch
        {
            1 => "ESTABLISHED",
            2 => "SYN_SENT",
            4 => "FIN_WAIT1",
            5 => "FIN_WAIT2",
            6 => "TIME_WAIT",
            7 => "CLOSE",
            8 => "CLOSE_WAIT",
            9 => "LAST_ACK",
            10 => "LISTEN",
            11 => "CLOSING",
            var other => other.ToString(CultureInfo.InvariantCulture),
        };
        return (new Connection(Port(fields[1]), Port(fields[2]), state, long.Parse(queues[0], NumberStyles.HexNumber)),
            long.Parse(fields[9], CultureInfo.InvariantCulture));
    }
}
