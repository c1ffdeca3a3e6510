using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>
/// The README's take-over promise, as an operator would see it: the local host (AudienceTrends.LocalHost, what
/// scripts/run-local.sh runs) as its own process, its export
/// is mid-upload to a real sshd (held there by a proxy that stops forwarding), the process is killed with SIGKILL and
/// a new one is started. The dead worker's message stays hidden (the host's 10-minute running window), so only the
/// expired-lease sweep can bring the job back. In this folder for the tests' sshd.
/// </summary>
public sealed partial class KilledWorkerTakeoverTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);

    [Test]
    [CancelAfter(6 * 60_000)]
    public async Task A_job_whose_process_was_killed_mid_export_is_taken_over_within_the_lease_plus_about_a_minute(CancellationToken testTime)
    {
        var sshd = SshdServer.Current;
        var folder = "takeover-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Combine(sshd.PasswordUserHome, folder);
        await using var proxy = new CuttingTcpProxy(sshd.Port, cutAfterBytes: 1024 * 1024, mode: CuttingTcpProxy.CutMode.Stall);
        var settings = await MidTransferCancel.SettingsAsync();
        settings["Jobs:LeaseDuration"] = Lease.ToString();
        var appFolder = TempFolders.Create("localhost-run-");
        await File.WriteAllTextAsync(Path.Combine(appFolder, "local.settings.json"),
            new JsonObject { ["Values"] = new JsonObject(settings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), (JsonNode?)s.Value))) }
                .ToJsonString(), testTime);
        // The demo account's key, in the test's own account tables that both processes read.
        var keys = await TestAccounts.ProvisionAsync(settings);
        var audiences = Enumerable.Range(0, MidTransferCancel.Audiences).Select(MidTransferCancel.AudienceName).ToList();
        var body = new JsonObject
        {
            ["name"] = "takeover",
            ["destination"] = new JsonObject
            {
                ["type"] = "sftp", ["server"] = "127.0.0.1", ["port"] = proxy.Port, ["username"] = sshd.PasswordUser,
                ["password"] = sshd.Password, ["path"] = folder,
            },
            ["selected_timeframe_start"] = MidTransferCancel.First.ToString("yyyy-MM-dd"),
            ["selected_timeframe_end"] = MidTransferCancel.Last.ToString("yyyy-MM-dd"),
            ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
        };

        string jobId;
        Stopwatch sinceKill;
        await using (var first = await StartLocalHostAsync(appFolder, out var firstPort))
        {
            using var http = Client(firstPort, keys.Demo);
            var created = await http.PostExportAsync(body.ToJsonString());
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync(testTime));
            jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();
            while (proxy.CutConnections == 0 || !Directory.Exists(directory) || Directory.GetFiles(directory).Length == 0)
            {
                await Task.Delay(100, testTime); // until the upload is under way and held by the proxy
            }

            Assert.That((await (await http.GetAsync($"v2/jobs/{jobId}", testTime)).JsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("Processing"));
            Kill9(first.Id);
            sinceKill = Stopwatch.StartNew();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using var second = await StartLocalHostAsync(appFolder, out var secondPort);
        using var client = Client(secondPort, keys.Demo);
        // The lease, the sweep's grace for the host's own retry (30 s), one sweep interval, and a margin for the upload
        // and a loaded machine.
        var bound = Lease + TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(90);
        JsonNode job;
        while (true)
        {
            job = await (await client.GetAsync($"v2/jobs/{jobId}", testTime)).JsonAsync();
            if (job["status"]!.GetValue<string>() != "Processing" || sinceKill.Elapsed > bound)
            {
                break;
            }

            await Task.Delay(500, testTime);
        }

        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), $"{job.ToJsonString()} after {sinceKill.Elapsed}\n{second.Output}");
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(2), "the second process took the job over");
        });
        Assert.That(Directory.GetFiles(directory).Select(Path.GetFileName), Is.EqualTo(new[] { "takeover.csv" }), "one file, no leftover part");
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(directory, "takeover.csv"), testTime),
            Is.EqualTo(TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), audiences, MidTransferCancel.First, MidTransferCancel.Last)),
            "the file is complete");
    }

    private static HttpClient Client(int port, string key) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60), DefaultRequestHeaders = { Authorization = TestAccounts.Basic(key) } };

    /// <summary>AudienceTrends.LocalHost from its build output, run in <paramref name="folder"/> (its local.settings.json).</summary>
    private static Task<ServerProcess> StartLocalHostAsync(string folder, out int port)
    {
        var configuration = typeof(KilledWorkerTakeoverTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var program = RepositoryPaths.Combine("AudienceTrends.LocalHost", "bin", configuration, "net10.0", "AudienceTrends.LocalHost.dll");
        port = ServerProcess.FreeTcpPort();
        return StartAsync(program, folder, port);

        static async Task<ServerProcess> StartAsync(string program, string folder, int port) =>
            (await ServerProcess.StartAsync("dotnet", [program, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                Started(), folder, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" }, TimeSpan.FromMinutes(2))).Server;
    }

    private static void Kill9(int processId)
    {
        using var kill = Process.Start("kill", ["-9", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.That(kill.ExitCode, Is.Zero, "SIGKILL sent");
    }

    [GeneratedRegex("Local host started on http://localhost:")]
    private static partial Regex Started();
}
