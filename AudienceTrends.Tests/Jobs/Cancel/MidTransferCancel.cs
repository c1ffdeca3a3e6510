using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Jobs.Cancel;

/// <summary>
/// A job cancelled while its upload is under way: a database large enough that the file is several MiB (more than an
/// S3 part, a managed block and a GCS chunk), an export that pauses after most of it was sent, a cancel through the
/// real HTTP function, and the worker left to notice it at its next heartbeat.
/// </summary>
public static class MidTransferCancel
{
    public const int Audiences = 1000;
    public const int PauseAfter = 900;
    public static readonly DateOnly First = new(2021, 1, 1);
    public static readonly DateOnly Last = new(2021, 12, 31);

    /// <summary>How long the worker may take to stop: the tests' heartbeat (1 s) plus a generous margin for a busy machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1 + 30);

    private static readonly Lazy<string> BigDatabase = new(CreateDatabase, LazyThreadSafetyMode.ExecutionAndPublication);

    public static async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync(BigDatabase.Value, seedDemoData: false);
        settings["Intake:MaxAudiences"] = Audiences.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>
    /// Creates the job, runs its worker until the export pauses, calls <paramref name="whileUploading"/> with the job id and
    /// the app's services (to see the upload under way), cancels (202) and waits for the worker to stop. Returns the job as GET returns it then.
    /// </summary>
    public static async Task<JsonNode> RunAsync(
        Dictionary<string, string?> settings, JsonObject destination, Func<string, IServiceProvider, Task>? whileUploading = null,
        Action<IServiceCollection>? configureServices = null)
    {
        PausingTrendSource? source = null;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services =>
        {
            services.AddSingleton<IAudienceTrendSource>(sp =>
                source = new PausingTrendSource(ActivatorUtilities.CreateInstance<SqlAudienceTrendSource>(sp), PauseAfter));
            configureServices?.Invoke(services);
        });
        await using var _ = host;

        var body = new JsonObject
        {
            ["name"] = "cancelled",
            ["destination"] = destination,
            ["selected_timeframe_start"] = First.ToString("yyyy-MM-dd"),
            ["selected_timeframe_end"] = Last.ToString("yyyy-MM-dd"),
            ["audiences"] = new JsonArray(Enumerable.Range(0, Audiences).Select(i => (JsonNode)JsonValue.Create(AudienceName(i))!).ToArray()),
        };
        var created = await host.Client.PostExportAsync(body.ToJsonString());
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var jobId = (await created.JsonAsync())["jobId"]!.GetValue<string>();

        var worker = Task.Run(() => host.DrainQueuesAsync());
        await Task.WhenAny(worker, WaitForSourceAsync(() => source));
        Assert.That(worker.IsCompleted, Is.False, $"the export paused mid-way (worker: {worker.Exception?.GetBaseException().Message})");
        if (whileUploading is not null)
        {
            await whileUploading(jobId, host.Services);
        }

        var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await cancel.Content.ReadAsStringAsync());
        Assert.That((await cancel.JsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("Processing"), "the answer shows the job as it is");

        await worker.WaitAsync(Bound);
        Assert.That(host.QueueFailures, Is.Empty, "a cancel is not a failure to retry");
        return await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
    }

    /// <summary>
    /// SFTP and FTP: cancels an export into a new folder of <paramref name="home"/> while its temporary file is being
    /// written; the job ends Cancelled and the folder is empty.
    /// </summary>
    public static async Task AssertFileServerCancelAsync(string type, int port, string user, string password, string home)
    {
        var folder = "cancel-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Combine(home, folder);
        var destination = new JsonObject
        {
            ["type"] = type, ["server"] = "127.0.0.1", ["port"] = port, ["username"] = user, ["password"] = password, ["path"] = folder,
        };

        var job = await RunAsync(await SettingsAsync(), destination, (_, _) =>
        {
            Assert.That(Directory.GetFiles(directory).Select(Path.GetFileName), Has.One.StartsWith(".cancelled.csv."),
                "the temporary file is being written");
            return Task.CompletedTask;
        });

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"), job.ToJsonString());
        Assert.That(job["times"]!["end"], Is.Not.Null);
        Assert.That(Directory.GetFiles(directory), Is.Empty, "the temporary file was removed");
    }

    public static string AudienceName(int i) => $"aud{i:D4}";

    private static async Task WaitForSourceAsync(Func<PausingTrendSource?> source)
    {
        while (source() is null)
        {
            await Task.Delay(50);
        }

        await source()!.Paused;
    }

    private static string CreateDatabase()
    {
        var audiences = Enumerable.Range(0, Audiences).Select(AudienceName).ToList();
        var days = Enumerable.Range(0, Last.DayNumber - First.DayNumber + 1).Select(First.AddDays).ToList();

        // 18-digit figures make each row about 7 KB, so the paused file holds more than 6 MB.
        return TestDatabase.Create(audiences, audiences.SelectMany(
            (a, i) => days.Select((d, j) => (a, d, 100_000_000_000_000_000L + (i * 1000L) + j))));
    }
}
