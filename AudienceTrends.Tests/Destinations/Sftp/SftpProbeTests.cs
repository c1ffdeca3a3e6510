using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>The destination test of <c>sftp</c> against the tests' own sshd: the file-server scenarios and host keys.</summary>
public class SftpProbeTests : FileServerProbeTests
{
    private static SshdServer Server => SshdServer.Current;

    protected override string Type => "sftp";

    protected override int ServerPort => Server.Port;

    protected override string User => Server.PasswordUser;

    protected override string Password => Server.Password;

    protected override string Home => Server.PasswordUserHome;

    protected override string[] AllSteps => ["resolve", "connect", "host key", "authenticate", "write", "rename", "delete"];

    [Test]
    public async Task The_host_key_step_shows_the_fingerprint_seen_and_a_pinned_one_that_matches_passes()
    {
        var destination = Destination(path: "/");
        destination["hostKeyFingerprint"] = Server.HostKeyFingerprint;

        var answer = await DestinationTestCall.PostAsync(destination);

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("host key"), Does.Contain(Server.HostKeyFingerprint).And.Contain("expects"));
        Assert.That(answer.Detail("connect"), Does.Contain("speaks SSH").And.Not.Contain("OpenSSH"), "the server's own words are not quoted");
    }

    [Test]
    public async Task A_pinned_fingerprint_that_does_not_match_stops_at_host_key_saying_what_was_seen()
    {
        var wrong = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        var destination = Destination(path: "/");
        destination["hostKeyFingerprint"] = wrong;

        var answer = await DestinationTestCall.PostAsync(destination);

        answer.AssertSteps(ok: false, "resolve", "connect", "host key");
        Assert.That(answer.LastDetail, Does.Contain(Server.HostKeyFingerprint).And.Contain(wrong).And.Contain("no login was sent"));
    }

    [Test]
    public async Task A_wrong_password_still_shows_the_host_key_seen()
    {
        var answer = await DestinationTestCall.PostAsync(Destination(path: "/", password: "wrong-" + Unique()));

        Assert.That(answer.Detail("host key"), Does.Contain(Server.HostKeyFingerprint));
    }

    [Test]
    public async Task A_saved_key_passes_every_step()
    {
        var settings = await SettingsAsync();
        settings["Sftp:SavedKeys:probe-key"] = Server.UserPrivateKey;
        settings["Sftp:SavedKeyHosts:probe-key"] = "127.0.0.1";
        settings["Sftp:SavedKeyAccounts:probe-key"] = TestAccounts.Demo;
        var destination = Destination(path: "/");
        destination.Remove("password");
        destination["username"] = Server.KeyUser;
        destination["savedKey"] = "probe-key";

        var answer = await DestinationTestCall.PostAsync(destination, settings);

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(TestHost.FileNames(Server.KeyUserHome).Where(n => n.StartsWith(".audiencetrends-probe-", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task A_server_that_stalls_once_the_probe_file_exists_until_the_tests_time_is_up_still_gets_file_and_folders_removed()
    {
        // Each answer is 50 ms late, so the stall lands between the file's creation and the end of the rename.
        await using var proxy = new StallingTcpProxy(ServerPort, TimeSpan.FromMilliseconds(50));
        var folder = "stall-" + Unique();
        var settings = await SettingsAsync();
        settings["Sftp:ConnectTimeout"] = "00:00:20";
        settings["Sftp:OperationTimeout"] = "00:00:30";
        settings["DestinationTest:Timeout"] = "00:00:08";
        using var watching = new CancellationTokenSource();
        var stalling = Task.Run(async () =>
        {
            while (!ProbeFileExists(Path.Combine(Home, folder)))
            {
                await Task.Delay(5, watching.Token);
            }

            proxy.StallOpenConnections();
        }, watching.Token);

        var answer = await DestinationTestCall.PostAsync(Destination(path: folder + "/daily", port: proxy.Port), settings);
        await watching.CancelAsync();

        Assert.That(proxy.Stalled, Is.GreaterThan(0), "the session was stalled mid-probe: " + answer.Text);
        Assert.That(answer.Ok, Is.False, answer.Text);
        Assert.That(answer.LastStep["name"]!.GetValue<string>(), Is.AnyOf("write", "rename"), answer.Text);
        Assert.That(answer.LastDetail, Does.Contain("ran out of its time"));
        Assert.That(Directory.Exists(Path.Combine(Home, folder)), Is.False, "the clean-up logged in again and removed the file and the folders it created: " + answer.Logs);
        try
        {
            await stalling;
        }
        catch (OperationCanceledException)
        {
            // The probe ended without the file ever being seen: the assertions above have said so.
        }
    }

    private static bool ProbeFileExists(string folder) =>
        Directory.Exists(folder)
        && Directory.EnumerateFiles(folder, ".audiencetrends-probe-*", SearchOption.AllDirectories).Any();

    protected override void ShortTimeouts(IDictionary<string, string?> settings)
    {
        settings["Sftp:ConnectTimeout"] = "00:00:01";
        settings["Sftp:OperationTimeout"] = "00:00:02";
    }
}
