using System.Net.Sockets;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Tests.Destinations.FileServer;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>The FTP destination against a real vsftpd: the file-server scenarios, a server dropping sessions, FTPS refused.</summary>
public class FtpDestinationTests : FileServerDestinationTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    protected override string Scheme => "ftp";

    protected override int ServerPort => Server.Port;

    protected override string User => Server.User;

    protected override string Password => Server.Password;

    protected override string Home => Server.Home;

    [Test]
    public async Task A_server_dropping_the_connection_mid_upload_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(16 * 1024 * 1024);
        const int sentBeforeDrop = 6 * 1024 * 1024;
        var folder = "/dropped-" + Unique();
        var directory = Path.Combine(Server.Home, folder.TrimStart('/'));
        var request = Request(Settings(folder), jobId: "job-dropped");
        var upload = new PausingStream(content.OpenRead(), pauseAfter: sentBeforeDrop);

        var delivery = Destination.DeliverAsync(request, upload, CancellationToken.None);
        await upload.Paused;
        var part = Path.Combine(directory, ".trends.csv.job-dropped.part");
        await WaitUntilStoredAsync(part, sentBeforeDrop);
        // The STOR's session only: other tests use the same server at the same time.
        Assert.That(Server.DropSessionsWriting(part), Is.EqualTo(1));
        upload.Resume();

        // The socket's error itself, not an ExportFailedException (a refusal): the host retries the job.
        var error = await Assert.CatchAsync<IOException>(() => delivery);
        Assert.That(error!.InnerException, Is.InstanceOf<SocketException>());
        Assert.That(TestHost.FileNames(directory), Is.Empty, "the temporary file is deleted over a new connection");

        await Destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Explicit_ftps_is_refused_before_connecting()
    {
        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(Request(FtpSettings("/x") with { Secure = true }), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationRejected));
        Assert.That(error.Message, Does.Contain("FTPS").And.Contain($"127.0.0.1:{Server.Port}"));
    }

    [Test]
    public async Task A_bare_line_feed_in_a_stored_password_injects_no_command_and_fails_for_good()
    {
        // The intake refuses this password; a job stored before it did must still not reach the control connection.
        var victim = "important-" + Unique() + ".csv";
        await File.WriteAllTextAsync(Path.Combine(Server.Home, victim), "keep me\n");
        var request = Request(Settings("/injected-" + Unique()), password: $"{Server.Password}\nDELE {victim}");

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationRejected));
        Assert.That(error.Message, Does.Not.Contain(Server.Password).And.Not.Contain("DELE"));
        Assert.That(File.Exists(Path.Combine(Server.Home, victim)), Is.True, "the DELE after the line feed never ran");
    }

    [TestCase("\r\n", TestName = "A CR LF in a stored password is a permanent failure, not a transient one")]
    [TestCase("\r", TestName = "A bare CR in a stored password is a permanent failure")]
    [TestCase("\u2028", TestName = "A line separator in a stored password is a permanent failure")]
    public async Task A_line_break_in_a_stored_password_is_a_permanent_failure(string lineBreak)
    {
        var request = Request(Settings("/x"), password: $"{Server.Password}{lineBreak}NOOP");

        // ExportFailedException is what the worker does not retry; any other exception would be tried five times.
        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationRejected));
    }

    protected override FileServerSettings Settings(string? path) => FtpSettings(path);

    protected override (IExportDestination Destination, ServiceProvider Provider) Create(bool allowLoopback)
    {
        var settings = new Dictionary<string, string?> { ["Ftp:CommandTimeout"] = "00:00:15" };
        if (allowLoopback)
        {
            settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.1/32";
        }

        return TestHost.Destination(FtpKind.Name, settings);
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

    private static FtpSettings FtpSettings(string? path) => new()
    {
        Server = "127.0.0.1",
        Port = Server.Port,
        Username = Server.User,
        Path = path,
    };
}
