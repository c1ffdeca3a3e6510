using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.LocalHost;

/// <summary>
/// <c>scripts/run-local.sh</c> as a newcomer runs it: a fresh copy of the tree, no Core Tools on PATH, the README's
/// curl steps over real HTTP, Ctrl-C. Ports are the test's own (the script's --port and AZURITE_*_PORT) so a
/// developer's Azurite or another run is not disturbed.
/// </summary>
[StartsProcesses] // the script: a build, Azurite, the host
[UnsupportedOSPlatform("windows")] // a bash script; the kept key's file mode
public sealed partial class RunLocalScriptTests
{
    [Test]
    public async Task Newcomer_runs_the_script_without_core_tools_exports_the_ui_example_with_the_printed_key_and_stops_it_with_ctrl_c()
    {
        using var tree = WorkingTreeCopy.Create();
        var ports = Enumerable.Range(0, 4).Select(_ => ServerProcess.FreeTcpPort()).ToArray();

        string jobId;
        var (run, key) = await StartScriptAsync(tree, ports);
        await using (run)
        {
            Assert.Multiple(() =>
            {
                Assert.That(run.Output, Does.Contain("Host: AudienceTrends.LocalHost"), "the script says which host runs");
                Assert.That(run.Output, Does.Contain($"curl -i -u \"$KEY:\" -X POST http://localhost:{ports[0]}/v2/audiencetrendsexport"), "the curl line sends the key");
                Assert.That(run.Output, Does.Contain($"Jobs page: http://localhost:{ports[0]}/ui/"), "the script prints the page's URL");
                Assert.That(File.ReadAllText(KeyFile(tree)).Trim(), Is.EqualTo(key), "the key is kept for the next run");
                Assert.That(File.GetUnixFileMode(KeyFile(tree)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "only its owner reads the kept key");
            });

            using var anonymous = Client(ports, key: null);
            var refused = await anonymous.PostExportAsync(HttpJson.Example("ui-download.json"));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await refused.Content.ReadAsStringAsync());
            Assert.That(refused.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"audiencetrends\""));
            using var page = await anonymous.GetAsync("ui/");
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), "the printed page URL serves the Jobs page");

            using var http = Client(ports, key);
            var created = await http.PostExportAsync(HttpJson.Example("ui-download.json"));
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
            jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
            var job = await WaitUntilFinalAsync(http, jobId);
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());

            var downloaded = await http.GetByteArrayAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
            var demoDatabase = Path.Combine(tree.Root, "AudienceTrends.LocalHost", "bin", "Debug", "net10.0", ".data", "audiencetrends-demo.db");
            Assert.That(downloaded, Is.EqualTo(TestDatabase.ExpectedCsv(demoDatabase, ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16))));

            await StopWithCtrlCAsync(run, tree, ports);
        }

        // A second run works, prints the same key, and finds the first run's job in Azurite's data.
        var (again, printedAgain) = await StartScriptAsync(tree, ports);
        await using (again)
        {
            Assert.That(printedAgain, Is.EqualTo(key), "the kept key still works, so it is printed again");
            using var http = Client(ports, key);
            var job = await (await http.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
            await StopWithCtrlCAsync(again, tree, ports);
        }

        // Azurite's data wiped: the kept key no longer works, so the script creates a new one and says why.
        Directory.Delete(Path.Combine(tree.Root, ".azurite"), recursive: true);
        var (wiped, printedKey) = await StartScriptAsync(tree, ports);
        await using (wiped)
        {
            Assert.Multiple(() =>
            {
                Assert.That(printedKey, Is.Not.EqualTo(key));
                Assert.That(wiped.Output, Does.Contain("The key kept in .local/demo-api-key does not work (HTTP 401"));
                Assert.That(File.ReadAllText(KeyFile(tree)).Trim(), Is.EqualTo(printedKey));
            });
            using var http = Client(ports, printedKey);
            var jobs = await http.GetAsync("v2/jobs");
            Assert.That(jobs.StatusCode, Is.EqualTo(HttpStatusCode.OK), await jobs.Content.ReadAsStringAsync());
            await StopWithCtrlCAsync(wiped, tree, ports);
        }
    }

    [Test]
    public async Task A_port_in_use_stops_the_script_naming_the_port_and_what_to_do()
    {
        using var tree = WorkingTreeCopy.Create();
        var ports = Enumerable.Range(0, 4).Select(_ => ServerProcess.FreeTcpPort()).ToArray();
        using var squatter = new TcpListener(IPAddress.Loopback, ports[2]);
        squatter.Start();

        var (exitCode, output) = await RunToEndAsync(tree, ports);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain($"Port {ports[2]} (Azurite Queue) is already in use"));
            Assert.That(output, Does.Contain("AZURITE_QUEUE_PORT=<n> scripts/run-local.sh"));
        });
        Assert.That(LeftoverProcesses(tree), Is.Empty);
    }

    private static Dictionary<string, string> Environment(int[] ports) => new()
    {
        // A PATH without Core Tools: only the folders that do not hold a `func`.
        ["PATH"] = string.Join(':', (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Where(dir => dir.Length > 0 && !File.Exists(Path.Combine(dir, "func")))),
        ["AZURITE_BLOB_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AZURITE_QUEUE_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AZURITE_TABLE_PORT"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>The script started and ready, and the key its <c>API key:</c> line prints.</summary>
    private static async Task<(ServerProcess Run, string Key)> StartScriptAsync(WorkingTreeCopy tree, int[] ports)
    {
        // As from a terminal, SIGINT (Ctrl-C) at its default: a runner started in the background passes it on ignored,
        // and a shell cannot trap a signal ignored at its start.
        var (process, ready) = await ServerProcess.StartAsync("env",
            ["--default-signal=INT", "bash", Path.Combine(tree.Root, "scripts", "run-local.sh"), "--port", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ApiKeyLine(), tree.Root, Environment(ports), TimeSpan.FromMinutes(10));
        Assert.That(process.Output, Does.Contain($"The function app is running at http://localhost:{ports[0]}"));
        return (process, ready.Groups["key"].Value);
    }

    private static string KeyFile(WorkingTreeCopy tree) => Path.Combine(tree.Root, ".local", "demo-api-key");

    private static HttpClient Client(int[] ports, string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{ports[0]}/"), Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = TestAccounts.Basic(key);
        }

        return client;
    }

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(WorkingTreeCopy tree, int[] ports)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(tree.Root, "scripts", "run-local.sh"), "--port", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = tree.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Environment(ports))
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output + await error);
    }

    private static async Task StopWithCtrlCAsync(ServerProcess run, WorkingTreeCopy tree, int[] ports)
    {
        run.Interrupt();
        // Generous for a loaded machine: the app lets running functions finish, then Azurite stops.
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.That(exitCode, Is.Zero, run.Output);
        Assert.That(LeftoverProcesses(tree), Is.Empty, "everything the script started is stopped");
        foreach (var port in ports)
        {
            Assert.That(() => new TcpClient().Connect(IPAddress.Loopback, port), Throws.InstanceOf<SocketException>(), $"port {port} is free again");
        }
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> WaitUntilFinalAsync(HttpClient http, string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var job = await (await http.GetAsync($"v2/jobs/{jobId}", timeout.Token)).JsonAsync();
            if (job["status"]!.GetValue<string>() is "Done" or "Failed")
            {
                return job;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>Processes still running in the copied tree (Azurite, the app, build servers), by working directory.</summary>
    private static List<string> LeftoverProcesses(WorkingTreeCopy tree)
    {
        var left = new List<string>();
        foreach (var proc in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cwd = new DirectoryInfo(Path.Combine(proc, "cwd")).LinkTarget;
                var commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if ((cwd?.StartsWith(tree.Root, StringComparison.Ordinal) ?? false) || commandLine.Contains(tree.Root, StringComparison.Ordinal))
                {
                    left.Add($"{Path.GetFileName(proc)}: {commandLine}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return left;
    }

    [GeneratedRegex("^API key: (?<key>atk_[A-Za-z0-9_-]+)$")]
    private static partial Regex ApiKeyLine();
}
