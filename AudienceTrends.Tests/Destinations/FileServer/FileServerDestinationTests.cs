using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.FileServer;

/// <summary>
/// The scenarios every file-server destination (SFTP, FTP) must pass against its real server, checking the bytes that
/// land on the server's disk. Each kind's fixture says how to reach its server and adds its own scenarios.
/// </summary>
public abstract class FileServerDestinationTests
{
    private ServiceProvider _provider = null!;

    /// <summary>The destination under test, as the app registers it, allowed to reach loopback.</summary>
    protected IExportDestination Destination { get; private set; } = null!;

    /// <summary>The URL scheme of <see cref="DeliveryResult.Location"/>.</summary>
    protected abstract string Scheme { get; }

    protected abstract int ServerPort { get; }

    /// <summary>The password user and its password.</summary>
    protected abstract string User { get; }

    protected abstract string Password { get; }

    /// <summary>The password user's login folder on disk.</summary>
    protected abstract string Home { get; }

    [SetUp]
    public void CreateDestination() => (Destination, _provider) = Create(allowLoopback: true);

    [TearDown]
    public void DisposeProvider() => _provider.Dispose();

    [Test]
    public async Task Delivers_the_exact_bytes_into_a_missing_nested_folder()
    {
        var content = GeneratedContent.OfSize(300_000);
        var folder = "/exports-" + Unique() + "/daily";

        var result = await Destination.DeliverAsync(Request(Settings(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Home, folder.TrimStart('/'), "trends.csv");
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
        Assert.That(TestHost.FileNames(Path.GetDirectoryName(delivered)!), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(result.Location, Is.EqualTo($"{Scheme}://127.0.0.1:{ServerPort}{folder}/trends.csv"));
        Assert.That(result.Location, Does.Not.Contain(Password));
    }

    [TestCase("/")]
    [TestCase(null)]
    public async Task Delivers_to_the_login_folder_when_path_is_slash_or_absent(string? path)
    {
        var content = GeneratedContent.Of("audience,2024-01-01\nopened,42\n");
        var fileName = $"root-{Unique()}.csv";

        var result = await Destination.DeliverAsync(Request(Settings(path), fileName: fileName), content.OpenRead(), CancellationToken.None);

        Assert.That(File.ReadAllBytes(Path.Combine(Home, fileName)), Is.EqualTo(content.Bytes));
        Assert.That(result.Location, Is.EqualTo($"{Scheme}://127.0.0.1:{ServerPort}/{fileName}"));
    }

    [Test]
    public async Task An_existing_folder_is_reused()
    {
        var folder = "existing-" + Unique();
        Directory.CreateDirectory(Path.Combine(Home, folder));
        TestHost.Run("chown", [$"{User}:", Path.Combine(Home, folder)]);
        var content = GeneratedContent.OfSize(10_000);

        await Destination.DeliverAsync(Request(Settings(folder)), content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.Sha256Of(Path.Combine(Home, folder, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task Replaces_an_existing_file_so_a_retried_job_leaves_one_complete_file()
    {
        var folder = "/replace-" + Unique();
        var first = GeneratedContent.OfSize(50_000);
        var second = GeneratedContent.OfSize(20_000);

        await Destination.DeliverAsync(Request(Settings(folder), jobId: "job-1"), first.OpenRead(), CancellationToken.None);
        await Destination.DeliverAsync(Request(Settings(folder), jobId: "job-2"), second.OpenRead(), CancellationToken.None);

        var directory = Path.Combine(Home, folder.TrimStart('/'));
        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(second.Sha256));
    }

    [Test]
    public async Task Streams_a_large_export()
    {
        var content = GeneratedContent.OfSize(24 * 1024 * 1024);
        var folder = "/large-" + Unique();

        await Destination.DeliverAsync(Request(Settings(folder)), content.OpenRead(), CancellationToken.None);

        var delivered = Path.Combine(Home, folder.TrimStart('/'), "trends.csv");
        Assert.That(new FileInfo(delivered).Length, Is.EqualTo(content.Bytes.Length));
        Assert.That(TestHost.Sha256Of(delivered), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_refused_password_fails_for_good_without_showing_the_password()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(Request(Settings("/x"), password: wrong), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationAuthFailed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{ServerPort}").And.Contain(User));
        Assert.That(error.ToString(), Does.Not.Contain(wrong));
    }

    [Test]
    public void An_unreachable_host_is_left_to_the_host_to_retry()
    {
        var request = Request(Settings("/x") with { Port = ServerProcess.FreeTcpPort() });

        Assert.That(
            () => Destination.DeliverAsync(request, GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None),
            Throws.Exception.Not.InstanceOf<ExportFailedException>());
    }

    [Test]
    public async Task A_failure_part_way_leaves_nothing_and_the_retry_delivers_one_complete_file()
    {
        var content = GeneratedContent.OfSize(6 * 1024 * 1024);
        var folder = "/broken-" + Unique();
        var directory = Path.Combine(Home, folder.TrimStart('/'));
        var request = Request(Settings(folder), jobId: "job-retried");

        Assert.That(
            () => Destination.DeliverAsync(request, content.FailAfter(2 * 1024 * 1024), CancellationToken.None),
            Throws.InstanceOf<IOException>());
        Assert.That(TestHost.FileNames(directory), Is.Empty);

        await Destination.DeliverAsync(request, content.OpenRead(), CancellationToken.None);

        Assert.That(TestHost.FileNames(directory), Is.EqualTo(new[] { "trends.csv" }));
        Assert.That(TestHost.Sha256Of(Path.Combine(directory, "trends.csv")), Is.EqualTo(content.Sha256));
    }

    [Test]
    public async Task A_folder_the_user_may_not_write_fails_for_good()
    {
        var locked = Path.Combine(Home, "locked-" + Unique());
        Directory.CreateDirectory(locked);
        TestHost.Run("chmod", ["755", locked]); // owned by root: read-only for the user

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Destination.DeliverAsync(Request(Settings("/" + Path.GetFileName(locked))), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.DestinationPermissionDenied));
        Assert.That(TestHost.FileNames(locked), Is.Empty);
    }

    [Test]
    public async Task A_loopback_host_is_refused_unless_allowed()
    {
        var (guarded, provider) = Create(allowLoopback: false);
        using var _ = provider;

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => guarded.DeliverAsync(Request(Settings("/x")), GeneratedContent.Of("a\n").OpenRead(), CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{ServerPort}").And.Contain(User));
    }

    protected static string Unique() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>The kind's settings for the password user on 127.0.0.1, with <paramref name="path"/>.</summary>
    protected abstract FileServerSettings Settings(string? path);

    /// <summary>The kind's delivery, registered through AddDestinations with the kind's test settings.</summary>
    protected abstract (IExportDestination Destination, ServiceProvider Provider) Create(bool allowLoopback);

    protected DeliveryRequest Request(
        FileServerSettings settings, string? jobId = null, string fileName = "trends.csv", string? password = null) =>
        new(TestAccounts.DemoId, jobId ?? "job-" + Unique(), new ExportFile(fileName, "text/csv"), settings, new FileServerSecrets { Password = password ?? Password });
}
