using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A real server started by the tests (Azurite, sshd, vsftpd, s3rver): started, awaited until it says it is ready,
/// and killed with its process tree on dispose. Its output is kept so a failed start says why.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ServerProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id, for tests that act on its child processes.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="fileName"/> and waits until a line of its output matches <paramref name="ready"/>. In
    /// <c>scripts/test.sh --fast</c> only the run-wide Azurite may start (<paramref name="allowedInFastLane"/>): any
    /// other server means a test that belongs in the <c>Processes</c> category ([StartsProcesses]).
    /// </summary>
    public static async Task<(ServerProcess Server, Match ReadyMatch)> StartAsync(
        string fileName,
        IEnumerable<string> arguments,
        Regex ready,
        string? workingDirectory = null,
        IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        bool allowedInFastLane = false)
    {
        if (!allowedInFastLane && Environment.GetEnvironmentVariable("AUDIENCETRENDS_FAST_LANE") == "1")
        {
            throw new InvalidOperationException(
                $"A test starts {fileName} in the fast lane (its stack trace names it): put [StartsProcesses] on its " +
                "class, or on the [SetUpFixture] of its namespace that starts the server.");
        }

        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        var readyMatch = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (server._gate)
            {
                server._output.AppendLine(line);
            }

            var match = ready.Match(line);
            if (match.Success)
            {
                readyMatch.TrySetResult(match);
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => readyMatch.TrySetException(
            new InvalidOperationException($"{fileName} exited before it was ready:\n{server.Output}"));

        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {fileName}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        try
        {
            var match = await readyMatch.Task.WaitAsync(limit);
            return (server, match);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"{fileName} was not ready within {limit}:\n{server.Output}");
        }
    }

    /// <summary>Sends SIGINT, what Ctrl-C in a terminal sends, to the process itself (not its children).</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"Could not send SIGINT to process {_process.Id}.");
        }
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>A TCP port free on 127.0.0.1 right now, for servers that cannot pick their own.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until something accepts TCP connections on <paramref name="endpoint"/>, for servers that never say they
    /// are ready.
    /// </summary>
    public static async Task WaitForTcpAsync(IPEndPoint endpoint, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
        }
    }
}
