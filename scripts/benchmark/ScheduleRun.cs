using System.Diagnostics;
using System.Globalization;
using System.Text;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Benchmark;

/// <summary>
/// The scheduler at scale (issue 21): 10,000 schedules, of which 1,000 are due in the same minute, seeded straight
/// into the app's schedule store (as <c>POST /v2/schedules</c> stores them: the export kept by
/// <see cref="ScheduledExport"/>, the due index row beside each), then one scheduler pass through the app's own DI
/// on a clock set just after that minute. Prints the pass's time until all 1,000 jobs are queued, the storage requests
/// it made per slot (by table and queue, counted from the Azure SDK's own request events) and the jobs queued.
/// </summary>
public static class ScheduleRun
{
    private const int Schedules = 10_000;
    private const int Due = 1_000;
    private const int Accounts = 100;
    private const int SeedParallelism = 32;

    /// <summary>06:00 in Los Angeles on 4 December 2026 (PST): the due schedules' slot.</summary>
    private static readonly DateTimeOffset Slot = new(2026, 12, 4, 14, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync()
    {
        var loadAtStart = LoadAverage();
        var work = Directory.CreateTempSubdirectory("audiencetrends-benchmark-");
        try
        {
            var azurite = await Azurite.InstanceAsync();
            Environment.SetEnvironmentVariable(BenchmarkHost.StorageVariable, azurite.ConnectionString);
            var database = Path.Combine(work.FullName, "schedules.db");
            TrendDatabase.CreateAudiences(database, ["audience1", "audience2"]);
            var clock = new BenchmarkClock(Slot.AddHours(-2));
            using var host = await BenchmarkHost.StartAsync(database, 1000, 366, services => services.AddSingleton<TimeProvider>(clock));
            using var calls = new StorageCalls();

            Progress($"seeding {Schedules:N0} schedules ({Due:N0} due at {Slot:u}) over {Accounts} accounts");
            var seeding = Stopwatch.StartNew();
            await SeedAsync(host.Services, clock.GetUtcNow());
            Progress($"seeded in {seeding.Elapsed.TotalSeconds:F1} s");

            // A pass before the minute: the first pass reads the schedule table (nothing due yet) and leaves its cursor,
            // so the measured pass reads the due index, as every pass does while the service runs.
            var scheduler = host.Services.GetRequiredService<Scheduler>();
            clock.Now = Slot.AddMinutes(-1);
            var before = await scheduler.RunPassAsync(CancellationToken.None);

            clock.Now = Slot.AddSeconds(5);
            calls.Start();
            var stopwatch = Stopwatch.StartNew();
            var pass = await scheduler.RunPassAsync(CancellationToken.None);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var requests = calls.Stop();

            Print(before, pass, seconds, requests, loadAtStart);
            await host.StopAsync();
        }
        finally
        {
            await Azurite.StopIfStartedAsync();
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <see cref="Due"/> schedules at <c>0 6 * * *</c> and the rest at other minutes of the day (07:00 to 18:59, never
    /// 06:00), all in America/Los_Angeles, exporting the last 30 days to SFTP with a password (kept encrypted).
    /// </summary>
    private static async Task SeedAsync(IServiceProvider services, DateTimeOffset now)
    {
        var parser = services.GetRequiredService<ScheduleRequestParser>();
        var store = services.GetRequiredService<ScheduleStore>();
        var protector = services.GetRequiredService<SecretProtector>();
        var export = File.ReadAllText(RepositoryPaths.Combine("examples", "sftp.json"))
            .Replace("\"selected_timeframe_start\": \"2021-07-16\",", "", StringComparison.Ordinal)
            .Replace("\"selected_timeframe_end\": \"2021-08-16\",", "", StringComparison.Ordinal);
        var requests = new Dictionary<string, ScheduleRequest>();
        ScheduleRequest RequestFor(string cron)
        {
            lock (requests)
            {
                if (!requests.TryGetValue(cron, out var request))
                {
                    var body = $$"""{"name": "Warehouse feed", "cron": "{{cron}}", "timeZone": "America/Los_Angeles", "timeframe": {"lastDays": 30, "endDaysAgo": 1}, "export": {{export}}}""";
                    var (parsed, errors) = parser.Parse(Encoding.UTF8.GetBytes(body));
                    request = parsed ?? throw new InvalidOperationException("The benchmark's schedule body was refused: " +
                        string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
                    requests.Add(cron, request);
                }

                return request;
            }
        }

        await Parallel.ForAsync(0, Schedules, new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism }, async (i, ct) =>
        {
            var cron = i < Due ? "0 6 * * *" : string.Create(CultureInfo.InvariantCulture, $"{i % 60} {7 + (i / 60 % 12)} * * *");
            var request = RequestFor(cron);
            var account = AccountId.Parse(string.Create(CultureInfo.InvariantCulture, $"bench-{i % Accounts:D3}"));
            var schedule = ScheduleRecord.Create(account, string.Create(CultureInfo.InvariantCulture, $"sch_bench{i:D5}"), request, now, protector);
            if (!await store.TryAddAsync(schedule, ct))
            {
                throw new InvalidOperationException($"Schedule {schedule.Id} exists already.");
            }
        });
    }

    private static void Print(SchedulerPass before, SchedulerPass pass, double seconds, IReadOnlyList<string> requests, string loadAtStart)
    {
        Console.WriteLine();
        Console.WriteLine($"Scheduler pass: {Schedules:N0} schedules, {Due:N0} due in the minute {Slot:u} (America/Los_Angeles 06:00)");
        Console.WriteLine($"  pass before the minute:   {before.Due} due, {before.Queued} queued");
        Console.WriteLine($"  measured pass:            {pass.Due:N0} due, {pass.Queued:N0} jobs queued in {seconds:F2} s");
        Console.WriteLine($"  storage requests:         {requests.Count:N0}, {(double)requests.Count / Math.Max(pass.Queued, 1):F2} per slot");
        foreach (var group in requests.GroupBy(Resource).OrderByDescending(g => g.Count()))
        {
            Console.WriteLine($"    {group.Key,-40} {group.Count(),7:N0}  {(double)group.Count() / Math.Max(pass.Queued, 1),6:F2} per slot");
        }

        Console.WriteLine($"  load average (1 min):     {loadAtStart} at start, {LoadAverage()} at end; {Environment.ProcessorCount} cores");
    }

    /// <summary>"METHOD table-or-queue" of a request "METHOD /account/resource(keys)/...?comp=...".</summary>
    private static string Resource(string request)
    {
        var (method, path) = (request[..request.IndexOf(' ', StringComparison.Ordinal)], request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = parts.Length > 1 ? parts[1] : path;
        var end = resource.IndexOfAny(['(', '?']);
        var name = end < 0 ? resource : resource[..end];
        var kind = resource.Contains("()", StringComparison.Ordinal) ? " (query)"
            : resource.Contains('(', StringComparison.Ordinal) ? " (entity)"
            : parts.Length > 2 ? " (" + parts[2] + ")" : "";
        return $"{method} {name}{kind}";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>The app's clock, set by the benchmark: the slot's minute without waiting for it.</summary>
    private sealed class BenchmarkClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
