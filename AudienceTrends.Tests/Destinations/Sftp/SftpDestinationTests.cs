using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Tests.Destinations.FileServer;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>The SFTP destination against a real sshd: the file-server scenarios, saved keys and host keys.</summary>
public class SftpDestinationTests : FileServerDestinationTests
{
    private static SshdServer Server => SshdServer.Current;

    protected override string Scheme => "sftp";

    protected override int ServerPort => Server.Port;

    protected override string User => Server.PasswordUser;

    protected override string Password => Server.Password;

    protected override string Home => Server.PasswordUserHome;

    [Test]
    public async Task Delivers_with_a_saved_key_to_the_login_folder_when_path_is_slash()
    {
        var content = GeneratedContent.Of("audience,2024-01-01\nopened,42\n");
        var fileName = $"key-{Unique()}.csv";
        var destination = new SftpSettings
        {
            Server = "127.0.0.1", Port = Server.Port, Username = Server.KeyUser, SavedKey = "test-key", Path = "/",
        };

        var result = await Destination.DeliverAsync(Request(destination, fileName: fileName), content.OpenRead(), CancellationToken.None);

        Assert.That(File.ReadAllBytes(Path.Combine(Server.KeyUserHome, fileName)), Is.EqualTo(content.Bytes));
        Assert.That(result.Location, Is.EqualTo($"sftp://127.0.0.1:{Server.Port}/{fileName}"));
    }

    [Test]
    public async Task An_unknown_saved_key_fails_for_good()
    {
        var destination = PasswordDestination("/x") with { Username = Server.KeyUser, SavedKey = "no-such-key" };

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(Request(destination), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.SavedKeyNotFound));
        Assert.That(error.Message, Does.Contain("no-such-key"));
    }

    [TestCase("other-host-key", TestName = "A saved key bound to other hosts never logs in")]
    [TestCase("no-hosts-key", TestName = "A saved key with no hosts listed never logs in")]
    public async Task A_saved_key_not_bound_to_the_server_never_logs_in(string keyName)
    {
        var folder = "/unbound-" + Unique();
        var destination = PasswordDestination(folder) with { Username = Server.KeyUser, SavedKey = keyName };

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(Request(destination), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.SavedKeyNotFound));
        Assert.That(Directory.Exists(Path.Combine(Server.KeyUserHome, folder.TrimStart('/'))), Is.False);
    }

    [Test]
    public async Task A_host_key_mismatch_sends_nothing()
    {
        var folder = "/mismatch-" + Unique();
        var wrongFingerprint = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        var request = Request(PasswordDestination(folder) with { HostKeyFingerprint = wrongFingerprint });

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostKeyMismatch));
        Assert.That(error.Message, Does.Contain(Server.HostKeyFingerprint).And.Contain(wrongFingerprint));
        Assert.That(Directory.Exists(Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'))), Is.False);
    }

    [Test]
    public async Task A_matching_host_key_is_accepted_and_recorded()
    {
        var content = GeneratedContent.OfSize(5000);
        var folder = "/fingerprint-" + Unique();
        var request = Request(PasswordDestination(folder) with { HostKeyFingerprint = Server.HostKeyFingerprint });

        var result = await Destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(result.Details[SftpKind.ObservedHostKeyDetail], Is.EqualTo(Server.HostKeyFingerprint));
        Assert.That(TestHost.Sha256Of(Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'), "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Without_an_expected_host_key_the_observed_one_is_recorded()
    {
        var result = await Destination.DeliverAsync(
            Request(PasswordDestination("/observed-" + Unique())), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None);

        Assert.That(result.Details[SftpKind.ObservedHostKeyDetail], Is.EqualTo(Server.HostKeyFingerprint));
    }

    [Test]
    public async Task A_connection_dropped_mid_upload_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(8 * 1024 * 1024);
        var folder = "/dropped-" + Unique();
        var directory = Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'));
        await using var proxy = new CuttingTcpProxy(Server.Port, cutAfterBytes: 2 * 1024 * 1024);
        var request = Request(PasswordDestination(folder) with { Port = proxy.Port }, jobId: "job-dropped");

        Assert.That(
            () => Destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(TestHost.FileNames(directory), Is.Empty);

        await Destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [TestCase(false, TestName = "The clean-up reconnect is pinned to the first connection's host key")]
    [TestCase(true, TestName = "The clean-up reconnect checks the requested host key fingerprint")]
    public async Task A_reconnect_to_a_server_with_another_host_key_never_receives_the_login(bool withFingerprint)
    {
        // A second sshd with its own host key, serving the same users: the man in the middle's server.
        var root = TestHost.CreateRoot("sshd-mitm-");
        try
        {
            var hostKey = Path.Combine(root, "host_ed25519");
            TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
            var impostorFingerprint = TestHost.Run("ssh-keygen", ["-l", "-E", "sha256", "-f", hostKey + ".pub"]).Output.Split(' ')[1];
            var port = ServerProcess.FreeTcpPort();
            await using var impostor = await SshdServer.StartProcessAsync(
                root, hostKey, Path.Combine(Server.Root, "authorized"), [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)],
                [Server.PasswordUser, Server.KeyUser]);
            await using var proxy = new CuttingTcpProxy(Server.Port, cutAfterBytes: 2 * 1024 * 1024, laterTargetPort: port);
            var destination = PasswordDestination("/pinned-" + Unique()) with
            {
                Port = proxy.Port,
                HostKeyFingerprint = withFingerprint ? Server.HostKeyFingerprint : null,
            };

            var error = await Assert.ThrowsAsync<ExportFailedException>(() => Destination.DeliverAsync(
                Request(destination), GeneratedContent.OfSize(8 * 1024 * 1024).OpenRead(), CancellationToken.None));

            Assert.That(proxy.CutConnections, Is.EqualTo(1));
            Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostKeyMismatch), "a changed host key fails the job for good: no retry logs in there");
            Assert.That(error.Message, Does.Contain(impostorFingerprint), "the reconnect reached the impostor");
            Assert.That(error.Message, Does.Contain(Server.HostKeyFingerprint).And.Not.Contain(Server.Password));
            Assert.That(impostor.Output, Does.Not.Contain(Server.PasswordUser).And.Not.Contain("Accepted").And.Not.Contain("Failed"),
                "no login was attempted there (sshd logs every attempt with its user)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestCase(" .. /{0}")]
    [TestCase("sub/ .. / .. /{0}")]
    [TestCase("..\\{0}")]
    [TestCase("%2e%2e/{0}")]
    public async Task A_stored_path_that_leaves_the_login_folder_writes_nothing_outside_it(string pattern)
    {
        // A folder beside the login folder that the user could write to, as a careless server might have.
        var outside = "outside-" + Unique();
        var outsideDirectory = Path.Combine(Path.GetDirectoryName(Home)!, outside);
        Directory.CreateDirectory(outsideDirectory);
        TestHost.Run("chown", [$"{User}:", outsideDirectory]);
        try
        {
            var request = Request(PasswordDestination(string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, outside)));

            var error = await Assert.ThrowsAsync<ExportFailedException>(
                () => Destination.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

            Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationRejected));
            Assert.That(Directory.GetFileSystemEntries(outsideDirectory), Is.Empty);
        }
        finally
        {
            Directory.Delete(outsideDirectory, recursive: true);
        }
    }

    protected override FileServerSettings Settings(string? path) => PasswordDestination(path);

    protected override (IExportDestination Destination, ServiceProvider Provider) Create(bool allowLoopback)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sftp:SavedKeys:test-key"] = Server.UserPrivateKey,
            ["Sftp:SavedKeyHosts:test-key"] = "sftp.example.com, 127.0.0.1",
            ["Sftp:SavedKeyAccounts:test-key"] = TestAccounts.Demo,
            ["Sftp:SavedKeys:other-host-key"] = Server.UserPrivateKey,
            ["Sftp:SavedKeyHosts:other-host-key"] = "sftp.example.com",
            ["Sftp:SavedKeyAccounts:other-host-key"] = TestAccounts.Demo,
            ["Sftp:SavedKeys:no-hosts-key"] = Server.UserPrivateKey,
            ["Sftp:SavedKeyAccounts:no-hosts-key"] = TestAccounts.Demo,
            ["Sftp:ConnectTimeout"] = "00:00:15",
        };
        if (allowLoopback)
        {
            settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32";
        }

        return TestHost.Destination(SftpKind.Name, settings);
    }

    private static SftpSettings PasswordDestination(string? path) => new()
    {
        Server = "127.0.0.1",
        Port = Server.Port,
        Username = Server.PasswordUser,
        Path = path,
    };
}
