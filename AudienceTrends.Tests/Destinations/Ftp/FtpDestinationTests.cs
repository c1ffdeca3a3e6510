using System.Net.Sockets;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Tests.Destinations.Sftp;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>The FTP destination against a real vsftpd, checking the bytes that land on the server's disk.</summary>
public class FtpDestinationTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    private ServiceProvider _provider = null!;
    private IExportDestination _ftp = null!;

    [SetUp]
    public void CreateDestination() => (_ftp, _provider) = Create(allowLoopback: true);

    [TearDown]
    public void DisposeProvider() => _provider.Dispose();

    [Test]
    public async Task Delivers_the_exact_bytes_into_a_missing_nested_folder()
    {
        var content = GeneratedContent.OfSize(300_000);
        var folder = "/exports-" + Unique() + "/daily";

        var result = await _ftp.DeliverAsync(Request(Destination(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Server.Home, folder.TrimStart('/'), "trends.csv");
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
        Assert.That(TestHost.FileNames(Path.GetDirectoryName(delivered)!), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(result.Location, Is.EqualTo($"ftp://127.0.0.1:{Server.Port}{folder}/trends.csv"));
    }

    [TestCase("/")]
    [TestCase(null)]
    public async Task Delivers_to_the_login_folder_when_path_is_slash_or_absent(string? path)
    {
        var content = GeneratedContent.Of("audience,2024-01-01\nopened,42\n");
        var fileName = $"root-{Unique()}.csv";

        var result = await _ftp.DeliverAsync(Request(Destination(path), fileName: fileName), content.OpenRead(), CancellationToken.None);

        Assert.That(File.ReadAllBytes(Path.Combine(Server.Home, fileName)), Is.EqualTo(content.Bytes));
        Assert.That(result.Location, Is.EqualTo($"ftp://127.0.0.1:{Server.Port}/{fileName}"));
    }

    [Test]
    public async Task An_existing_folder_is_reused()
    {
        var folder = "existing-" + Unique();
        Directory.CreateDirectory(Path.Combine(Server.Home, folder));
        TestHost.Run("chown", [$"{VsftpdServer.User}:", Path.Combine(Server.Home, folder)]);
        var content = GeneratedContent.OfSize(10_000);

        await _ftp.DeliverAsync(Request(Destination(folder)), content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.Sha256Of(Path.Combine(Server.Home, folder, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Replaces_an_existing_file_so_a_retried_job_leaves_one_complete_file()
    {
        var folder = "/replace-" + Unique();
        var first = GeneratedContent.OfSize(50_000);
        var second = GeneratedContent.OfSize(20_000);

        await _ftp.DeliverAsync(Request(Destination(folder), jobId: "job-1"), first.OpenRead(), CancellationToken.None);
        await _ftp.DeliverAsync(Request(Destination(folder), jobId: "job-2"), second.OpenRead(), CancellationToken.None);

        var directory = Path.Combine(Server.Home, folder.TrimStart('/'));
        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(second.Sha256));
    }

    [Test]
    public async Task Streams_a_large_export()
    {
        var content = GeneratedContent.OfSize(24 * 1024 * 1024);
        var folder = "/large-" + Unique();

        await _ftp.DeliverAsync(Request(Destination(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Server.Home, folder.TrimStart('/'), "trends.csv");
        Assert.That(new FileInfo(delivered).Length, Is.EqualTo(content.Bytes.Length));
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_refused_password_fails_for_good_without_showing_the_password()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _ftp.DeliverAsync(Request(Destination("/x"), password: wrong), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{Server.Port}").And.Contain(VsftpdServer.User));
        Assert.That(error.ToString(), Does.Not.Contain(wrong));
    }

    [Test]
    public void An_unreachable_host_is_left_to_the_host_to_retry()
    {
        var request = Request(Destination("/x") with { Port = ServerProcess.FreeTcpPort() });

        Assert.That(
            () => _ftp.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
    }

    [Test]
    public async Task A_failure_part_way_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(6 * 1024 * 1024);
        var folder = "/broken-" + Unique();
        var directory = Path.Combine(Server.Home, folder.TrimStart('/'));
        var request = Request(Destination(folder), jobId: "job-retried");

        Assert.That(
            () => _ftp.DeliverAsync(request, content.FailAfter(2 * 1024 * 1024), CancellationToken.None),
            Throws.InstanceOf<IOException>());
        Assert.That(TestHost.FileNames(directory), Is.Empty);

        await _ftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_server_dropping_the_connection_mid_upload_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(16 * 1024 * 1024);
        const int sentBeforeDrop = 6 * 1024 * 1024;
        var folder = "/dropped-" + Unique();
        var directory = Path.Combine(Server.Home, folder.TrimStart('/'));
        var request = Request(Destination(folder), jobId: "job-dropped");
        var upload = new PausingStream(content.OpenRead(), pauseAfter: sentBeforeDrop);

        var delivery = _ftp.DeliverAsync(request, upload, CancellationToken.None);
        await upload.Paused;
        await WaitUntilStoredAsync(Path.Combine(directory, ".trends.csv.job-dropped.part"), sentBeforeDrop);
        // At least the STOR's session; one of an earlier test may still be closing.
        Assert.That(Server.DropSessions(), Is.GreaterThanOrEqualTo(1));
        upload.Resume();

        // The socket's error itself, not an ExportFailedException (a refusal): the host retries the job.
        var error = await Assert.CatchAsync<IOException>(() => delivery);
        Assert.That(error!.InnerException, Is.InstanceOf<SocketException>());
        Assert.That(TestHost.FileNames(directory), Is.Empty, "the temporary file is deleted over a new connection");

        await _ftp.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_folder_the_user_may_not_write_fails_for_good()
    {
        var locked = Path.Combine(Server.Home, "locked-" + Unique());
        Directory.CreateDirectory(locked);
        TestHost.Run("chmod", ["755", locked]); // owned by root: read-only for the user

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _ftp.DeliverAsync(Request(Destination("/" + Path.GetFileName(locked))), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(TestHost.FileNames(locked), Is.Empty);
    }

    [Test]
    public async Task Explicit_ftps_is_refused_before_connecting()
    {
        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => _ftp.DeliverAsync(Request(Destination("/x") with { Secure = true }), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationRejected));
        Assert.That(error.Message, Does.Contain("FTPS").And.Contain($"127.0.0.1:{Server.Port}"));
    }

    [Test]
    public async Task A_loopback_host_is_refused_unless_allowed()
    {
        var (guarded, provider) = Create(allowLoopback: false);
        using var _ = provider;

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => guarded.DeliverAsync(Request(Destination("/x")), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{Server.Port}").And.Contain(VsftpdServer.User));
    }

    /// <summary>Waits until vsftpd has written <paramref name="bytes"/> bytes of <paramref name="file"/> to disk.</summary>
    private static async Task WaitUntilStoredAsync(string file, long bytes)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!File.Exists(file) || new FileInfo(file).Length < bytes)
        {
            await Task.Delay(20, patience.Token);
        }
    }

    private static (IExportDestination, ServiceProvider) Create(bool allowLoopback)
    {
        var settings = new Dictionary<string, string?> { ["Ftp:CommandTimeout"] = "00:00:15" };
        if (allowLoopback)
        {
            settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32";
        }

        return TestHost.Destination(FtpKind.Name, settings);
    }

    private static FtpSettings Destination(string? path) => new()
    {
        Server = "127.0.0.1",
        Port = Server.Port,
        Username = VsftpdServer.User,
        Path = path,
    };

    private static DeliveryRequest Request(
        FtpSettings destination, string? jobId = null, string fileName = "trends.csv", string? password = null) =>
        new(jobId ?? "job-" + Unique(), new ExportFile(fileName, "text/csv"), destination, new FileServerSecrets { Password = password ?? Server.Password });

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];
}
