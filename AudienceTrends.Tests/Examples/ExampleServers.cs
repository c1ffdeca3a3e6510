using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Examples;

/// <summary>
/// Real servers standing where the example bodies point, so the bodies can be sent exactly as written: an sshd on
/// 127.0.0.2 ports 21 and 2222 (the reference SFTP example says port "21"), a vsftpd on 127.0.0.3 port 21, and the
/// user <c>username</c> / <c>password</c> the examples log in as. The examples' host names resolve to those addresses
/// through <see cref="Resolver"/>, which the tests put in place of DNS.
/// </summary>
[SetUpFixture]
[StartsProcesses]
public sealed class ExampleServers
{
    public const string User = "username";
    public const string Password = "password";
    public const string SavedKeyName = "myKeyName";

    private static readonly IPAddress SftpAddress = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress FtpAddress = IPAddress.Parse("127.0.0.3");

    private readonly List<ServerProcess> _processes = [];
    private MachineLock? _lock;
    private string _root = "";

    public static string Home { get; private set; } = "";

    /// <summary>The s3rver holding the reference example's bucket, <c>my_bucket</c>.</summary>
    public static S3ServerFixture S3 { get; } = new();

    /// <summary>The GCS stand-in holding the reference example's bucket, <c>bucketname</c>.</summary>
    public static GcsEmulator Gcs { get; private set; } = null!;

    /// <summary>The private key saved in the service as <see cref="SavedKeyName"/>.</summary>
    public static string SavedPrivateKey { get; private set; } = "";

    public static IHostResolver Resolver { get; } = new MapResolver(new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase)
    {
        ["example.com"] = SftpAddress,
        ["sftp.example.com"] = SftpAddress,
        ["ftp.example.com"] = FtpAddress,
    });

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // The ports and the user are the bodies' own, the same in every run: another run's examples wait for these.
        _lock = await MachineLock.AcquireAsync("example-servers", TimeSpan.FromMinutes(15));
        _root = TestHost.CreateRoot("example-servers-");
        Home = Path.Combine(_root, "home");
        TestHost.EnsureUser(User, Home, "/bin/bash", Password);

        var hostKey = Path.Combine(_root, "host_ed25519");
        TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        var userKey = Path.Combine(_root, "user_ed25519");
        TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "example", "-f", userKey]);
        SavedPrivateKey = await File.ReadAllTextAsync(userKey);
        var authorized = Directory.CreateDirectory(Path.Combine(_root, "authorized")).FullName;
        File.Copy(userKey + ".pub", Path.Combine(authorized, User));

        _processes.Add(await SshdServer.StartProcessAsync(
            _root, hostKey, authorized, [new IPEndPoint(SftpAddress, 21), new IPEndPoint(SftpAddress, 2222)], [User]));

        var passive = ServerProcess.FreeTcpPort();
        _processes.Add(await VsftpdServer.StartProcessAsync(_root, FtpAddress, 21, passive, passive));

        // s3rver with the reference example's keys and bucket (my_bucket); the GCS stand-in with its bucket.
        await S3.StartAsync();
        Gcs = await GcsEmulator.StartAsync();
        Gcs.AddBucket("bucketname");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await S3.StopAsync();
        if (Gcs is not null)
        {
            await Gcs.DisposeAsync();
        }

        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }

        _lock?.Dispose();
    }

    private sealed class MapResolver(IReadOnlyDictionary<string, IPAddress> names) : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            names.TryGetValue(host, out var address)
                ? Task.FromResult(new[] { address })
                : throw new SocketException((int)SocketError.HostNotFound);
    }
}
