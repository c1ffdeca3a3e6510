using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A real s3rver (through <c>s3rver-launcher.js</c>, which adds SigV4 checks, extra accounts, legacy bucket names and
/// multipart abort/listing) on 127.0.0.1 with a free port and a temporary data directory. The S3 tests share one
/// (<see cref="Current"/>, reached through the static members); a fixture elsewhere starts and uses its own instance,
/// so fixtures running in parallel never stop or redirect each other's server.
/// </summary>
public sealed class S3ServerFixture
{
    public const string AccessKeyId = "test-access-key";
    public const string SecretAccessKey = "test-secret-key-0123456789";
    public const string DeniedBucket = "locked-bucket";

    /// <summary>The reference page's S3 example.</summary>
    public const string ExampleAccessKeyId = "A1234567890";
    public const string ExampleSecretAccessKey = "B1234567890";
    public const string ExampleBucket = "my_bucket";

    private static S3ServerFixture? _current;

    private ServerProcess? _server;
    private string? _directory;

    /// <summary>This server's endpoint, for the app's <c>S3:ServiceUrl</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The server the S3 tests share (their folder's <c>S3ServerSetUp</c> starts it); others start their own.</summary>
    public static S3ServerFixture Current =>
        _current is not { } current ? throw new InvalidOperationException("The S3 tests' s3rver is not running.")
        : current._server is { HasExited: true } ? throw new InvalidOperationException("The S3 tests' s3rver has exited:\n" + current._server.Output)
        : current;

    public static string ServiceUrl => Current.Url;

    public static int Port => new Uri(ServiceUrl).Port;

    /// <summary>The shared s3rver's log so far; it says <c>Stored part N of ...</c> for every part it receives.</summary>
    public static string Output => Current._server?.Output ?? "";

    /// <summary>Starts this server and makes it <see cref="Current"/> for the S3 tests.</summary>
    public async Task StartSharedAsync()
    {
        await StartAsync();
        _current = this;
    }

    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("s3rver-").FullName;
        var config = JsonSerializer.Serialize(new
        {
            directory = _directory,
            accounts = new Dictionary<string, string>
            {
                [AccessKeyId] = SecretAccessKey,
                [ExampleAccessKeyId] = ExampleSecretAccessKey,
            },
            buckets = new[] { ExampleBucket },
            deniedBuckets = new[] { DeniedBucket },
        });
        var (server, ready) = await ServerProcess.StartAsync(
            "node",
            [RepositoryPaths.Combine("AudienceTrends.Tests", "Infrastructure", "s3rver-launcher.js"), config],
            new Regex(@"listening on (http://127\.0\.0\.1:\d+)"),
            workingDirectory: RepositoryPaths.Root);
        _server = server;
        Url = ready.Groups[1].Value;
    }

    public async Task StopAsync()
    {
        if (ReferenceEquals(_current, this))
        {
            _current = null;
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A client of this server for the tests' own checks, signed with the test account.</summary>
    public AmazonS3Client Client() => new(
        new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
        new AmazonS3Config { ServiceURL = Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>A client of the shared server for the tests' own checks, signed with the test account.</summary>
    public static AmazonS3Client CreateClient() => Current.Client();

    /// <summary>A bucket of the test's own, so what s3rver logs and lists for it belongs to that test alone.</summary>
    public static async Task<string> CreateBucketAsync()
    {
        var bucket = "t-" + Guid.NewGuid().ToString("N")[..16];
        using var client = CreateClient();
        await client.PutBucketAsync(bucket);
        return bucket;
    }
}
