using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>The SFTP destination against a real sshd, checking the bytes that land on the server's disk.</summary>
public class SftpDestinationTests
{
    private static SshdServer Server => SshdServer.Current;

    private ServiceProvider _provider = null!;
    private IExportDestination _sftp = null!;

    [SetUp]
    public void CreateDestination() => (_sftp, _provider) = Create(allowLoopback: true);

    [TearDown]
    public void DisposeProvider() => _provider.Dispose();

    [Test]
    public async Task Delivers_the_exact_bytes_with_a_password_into_a_missing_nested_folder()
    {
        var content = GeneratedContent.OfSize(300_000);
        var folder = "/exports-" + Unique() + "/daily";

        var result = await _sftp.DeliverAsync(Request(PasswordDestination(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'), "trends.csv");
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
        Assert.That(TestHost.FileNames(Path.GetDirectoryName(delivered)!), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(result.Location, Is.EqualTo($"sftp://127.0.0.1:{Server.Port}{folder}/trends.csv"));
        Assert.That(result.Location, Does.Not.Contain(Server.Password));
    }

    [Test]
    public async Task Delivers_with_a_saved_key_to_the_login_folder_when_path_is_slash()
    {
        var content = GeneratedContent.Of("audience,2024-01-01\nopened,42\n");
        var fileName = $"key-{Unique()}.csv";
        var destination = new SftpSettings
        {
            Server = "127.0.0.1", Port = Server.Port, Username = SshdServer.KeyUser,
            SavedKey = "test-key", Path = "/",
        };

        var result = await _sftp.DeliverAsync(Request(destination, fileName: fileName), content.OpenRead(), CancellationToken.None);

        Assert.That(File.ReadAllBytes(Path.Combine(Server.KeyUserHome, fileName)), Is.EqualTo(content.Bytes));
        Assert.That(result.Location, Is.EqualTo($"sftp://127.0.0.1:{Server.Port}/{fileName}"));
    }

    [Test]
    public async Task Without_a_path_delivers_to_the_login_folder()
    {
        var content = GeneratedContent.OfSize(1000);
        var fileName = $"nopath-{Unique()}.csv";

        await _sftp.DeliverAsync(Request(PasswordDestination(path: null), fileName: fileName), content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.Sha256Of(Path.Combine(Server.PasswordUserHome, fileName)), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Replaces_an_existing_file_so_a_retried_job_leaves_one_complete_file()
    {
        var folder = "/replace-" + Unique();
        var first = GeneratedContent.OfSize(50_000);
        var second = GeneratedContent.OfSize(20_000);

        await _sftp.DeliverAsync(Request(PasswordDestination(folder), jobId: "job-1"), first.OpenRead(), CancellationToken.None);
        await _sftp.DeliverAsync(Request(PasswordDestination(folder), jobId: "job-2"), second.OpenRead(), CancellationToken.None);

        var directory = Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'));
        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(second.Sha256));
    }

    [Test]
    public async Task Streams_a_large_export()
    {
        var content = GeneratedContent.OfSize(24 * 1024 * 1024);
        var folder = "/large-" + Unique();

        await _sftp.DeliverAsync(Request(PasswordDestination(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'), "trends.csv");
        Assert.That(new FileInfo(delivered).Length, Is.EqualTo(content.Bytes.Length));
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_refused_password_fails_for_good_without_showing_the_password()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        var request = Request(PasswordDestination("/x"), password: wrong);

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _sftp.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{Server.Port}").And.Contain(SshdServer.PasswordUser));
        Assert.That(error.ToString(), Does.Not.Contain(wrong));
    }

    [Test]
    public async Task An_unknown_saved_key_fails_for_good()
    {
        var destination = PasswordDestination("/x") with { Username = SshdServer.KeyUser, SavedKey = "no-such-key" };

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _sftp.DeliverAsync(Request(destination), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.SavedKeyNotFound));
        Assert.That(error.Message, Does.Contain("no-such-key"));
    }

    [Test]
    public void An_unreachable_host_is_left_to_the_host_to_retry()
    {
        var closedPort = ServerProcess.FreeTcpPort();
        var request = Request(PasswordDestination("/x") with { Port = closedPort });

        Assert.That(
            () => _sftp.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
    }

    [Test]
    public async Task A_host_key_mismatch_sends_nothing()
    {
        var folder = "/mismatch-" + Unique();
        var wrongFingerprint = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        var request = Request(PasswordDestination(folder) with { HostKeyFingerprint = wrongFingerprint });

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _sftp.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

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

        var result = await _sftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(result.Details[SftpKind.ObservedHostKeyDetail], Is.EqualTo(Server.HostKeyFingerprint));
        Assert.That(TestHost.Sha256Of(Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'), "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Without_an_expected_host_key_the_observed_one_is_recorded()
    {
        var result = await _sftp.DeliverAsync(
            Request(PasswordDestination("/observed-" + Unique())), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None);

        Assert.That(result.Details[SftpKind.ObservedHostKeyDetail], Is.EqualTo(Server.HostKeyFingerprint));
    }

    [Test]
    public async Task A_failure_part_way_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(6 * 1024 * 1024);
        var folder = "/broken-" + Unique();
        var directory = Path.Combine(Server.PasswordUserHome, folder.TrimStart('/'));
        var request = Request(PasswordDestination(folder), jobId: "job-retried");

        Assert.That(
            () => _sftp.DeliverAsync(request, content.FailAfter(2 * 1024 * 1024), CancellationToken.None),
            Throws.InstanceOf<IOException>());
        Assert.That(TestHost.FileNames(directory), Is.Empty);

        await _sftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
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
            () => _sftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
        Assert.That(proxy.CutConnections, Is.EqualTo(1));
        Assert.That(TestHost.FileNames(directory), Is.Empty);

        await _sftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_folder_the_user_may_not_write_fails_for_good()
    {
        var locked = Path.Combine(Server.PasswordUserHome, "locked-" + Unique());
        Directory.CreateDirectory(locked);
        TestHost.Run("chmod", ["755", locked]); // owned by root: read-only for the user

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _sftp.DeliverAsync(Request(PasswordDestination("/" + Path.GetFileName(locked))), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(TestHost.FileNames(locked), Is.Empty);
    }

    [Test]
    public async Task A_loopback_host_is_refused_unless_allowed()
    {
        var (guarded, provider) = Create(allowLoopback: false);
        using var _ = provider;

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => guarded.DeliverAsync(Request(PasswordDestination("/x")), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{Server.Port}").And.Contain(SshdServer.PasswordUser));
    }

    private static (IExportDestination, ServiceProvider) Create(bool allowLoopback)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sftp:SavedKeys:test-key"] = Server.UserPrivateKey,
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
        Username = SshdServer.PasswordUser,
        Path = path,
    };

    private static DeliveryRequest Request(
        SftpSettings destination, string? jobId = null, string fileName = "trends.csv", string? password = null) =>
        new(jobId ?? "job-" + Unique(), new ExportFile(fileName, "text/csv"), destination, new FileServerSecrets { Password = password ?? Server.Password });

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];
}
