using AudienceTrends.Core.Destinations.Probe;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// The write, rename and delete steps' own rules, on a folder held in memory: a real server cannot be made to refuse
/// a rename after accepting the write, or to hang on a write, at will. The kinds' probes run them against real servers.
/// </summary>
public class ProbeFileTests
{
    [TestCase("exports/trends.csv", "exports")]
    [TestCase("exports/trends.CSV.GZ", "exports")]
    [TestCase("/a/b/trends.parquet", "a/b")]
    [TestCase("a/trends.jsonl", "a")]
    [TestCase("a/trends.jsonl.gz", "a")]
    [TestCase("a/trends.json", "a/trends.json")]
    [TestCase("warehouse", "warehouse")]
    public void A_path_naming_the_object_in_any_export_format_probes_its_parent_folder(string path, string folder)
    {
        Assert.That(ProbeFile.ObjectFolder(path), Is.EqualTo(folder));
    }

    [Test]
    public async Task A_failed_rename_stops_there_without_quoting_the_failure_and_the_probe_file_is_still_deleted()
    {
        var folder = new MemoryFolder { RefuseRename = true };
        using var steps = new ProbeSteps(TimeProvider.System);

        await Assert.ThrowsAsync<ProbeStoppedException>(() => ProbeFile.RunAsync(steps, folder, TimeSpan.FromMinutes(1)));

        Assert.That(steps.Steps.Select(s => (s.Name, s.Ok)), Is.EqualTo(new[] { ("write", true), ("rename", false) }));
        Assert.That(steps.Steps[^1].Detail, Does.StartWith("The connection failed").And.Not.Contain("rename refused").And.Not.Contain("IOException"),
            "what the peer said and exception names are never shown");
        Assert.That(folder.Files, Is.Empty, "the written file was deleted after the rename failed");
        Assert.That(folder.Written, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_write_that_never_ends_stops_at_its_timeout_and_what_it_wrote_is_deleted()
    {
        var folder = new MemoryFolder { HangAfterWrite = true };
        using var steps = new ProbeSteps(TimeProvider.System);
        steps.Limit(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<ProbeStoppedException>(() => ProbeFile.RunAsync(steps, folder, TimeSpan.FromMilliseconds(200)));

        Assert.That(steps.Steps.Select(s => (s.Name, s.Ok)), Is.EqualTo(new[] { ("write", false) }));
        Assert.That(steps.Steps[^1].Detail, Does.StartWith("No answer within 00:00:00.2"));
        Assert.That(folder.Files, Is.Empty);
    }

    [Test]
    public async Task A_cancelled_request_still_gets_the_probe_file_deleted()
    {
        using var request = new CancellationTokenSource();
        var folder = new MemoryFolder { HangAfterWrite = true, OnHang = request.Cancel };
        using var steps = new ProbeSteps(TimeProvider.System, request.Token);
        steps.Limit(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<ProbeStoppedException>(() => ProbeFile.RunAsync(steps, folder, TimeSpan.FromMinutes(1)));

        Assert.That(steps.Steps.Select(s => (s.Name, s.Ok)), Is.EqualTo(new[] { ("write", false) }));
        Assert.That(folder.Files, Is.Empty, "the clean-up runs within the budget even though the caller has gone");
    }

    [Test]
    public async Task A_rename_that_outlasts_the_whole_budget_still_gets_the_probe_file_deleted()
    {
        // As an SFTP server that stalls at rename until the test's time is up: the clean-up has its own limit.
        var folder = new MemoryFolder { HangAtRename = true };
        using var steps = new ProbeSteps(TimeProvider.System, cap: TimeSpan.FromMinutes(1), cleanUpLimit: TimeSpan.FromSeconds(30));
        steps.Limit(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAsync<ProbeStoppedException>(() => ProbeFile.RunAsync(steps, folder, TimeSpan.FromMinutes(1)));

        Assert.That(steps.Steps.Select(s => (s.Name, s.Ok)), Is.EqualTo(new[] { ("write", true), ("rename", false) }));
        Assert.That(steps.Steps[^1].Detail, Does.StartWith("The test ran out of its time"));
        Assert.That(folder.Files, Is.Empty, "the clean-up ran although the budget was spent");
    }

    [Test]
    public async Task A_step_without_a_limit_of_its_own_still_ends_at_the_cap()
    {
        using var steps = new ProbeSteps(TimeProvider.System, cap: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAsync<ProbeStoppedException>(() => steps.RunAsync("write", () => new TaskCompletionSource<string>().Task));

        Assert.That(steps.Steps[^1].Detail, Does.Contain("DestinationTest:Timeout"));
    }

    [Test]
    public async Task A_store_without_rename_writes_and_deletes()
    {
        var folder = new MemoryFolder { Renames = false };
        using var steps = new ProbeSteps(TimeProvider.System);

        await ProbeFile.RunAsync(steps, folder, TimeSpan.FromMinutes(1));

        Assert.That(steps.Steps.Select(s => s.Name), Is.EqualTo(new[] { "write", "delete" }));
        Assert.That(folder.Written.Single(), Does.Match(@"^\.audiencetrends-probe-[0-9a-f]{32}\.tmp$"));
        Assert.That(folder.Files, Is.Empty);
    }

    private sealed class MemoryFolder : IProbeFileStore
    {
        public HashSet<string> Files { get; } = [];

        public List<string> Written { get; } = [];

        public bool Renames { get; init; } = true;

        public bool RefuseRename { get; init; }

        public bool HangAfterWrite { get; init; }

        public bool HangAtRename { get; init; }

        public Action? OnHang { get; init; }

        public async Task<string> WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Files.Add(name);
            Written.Add(name);
            if (HangAfterWrite)
            {
                OnHang?.Invoke();
                await new TaskCompletionSource().Task; // never ends, whatever the token says
            }

            return "written";
        }

        public Task<string> RenameAsync(string name, string newName, CancellationToken cancellationToken)
        {
            if (RefuseRename)
            {
                throw new IOException("rename refused");
            }

            if (HangAtRename)
            {
                Files.Add(newName);
                return new TaskCompletionSource<string>().Task; // never ends, whatever the token says
            }

            Files.Remove(name);
            Files.Add(newName);
            return Task.FromResult("renamed");
        }

        public Task<string> DeleteAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(Files.Remove(name) ? "deleted" : throw new FileNotFoundException(name));

        public Task CleanUpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Files.ExceptWith(names);
            }

            return Task.CompletedTask;
        }
    }
}
