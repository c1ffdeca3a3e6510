using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// One real s3rver (through <c>s3rver-launcher.js</c>, which adds SigV4 checks, extra accounts, legacy bucket names and
/// multipart abort/listing) for every S3 test, on 127.0.0.1 with a free port and a temporary data directory.
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

    private static ServerProcess? _server;
    private static string? _directory;

    public static string ServiceUrl { get; private set; } = "";

    public static int Port => new Uri(ServiceUrl).Port;

    /// <summary>s3rver's log so far; it says <c>Stored part N of ...</c> for every part it receives.</summary>
    public static string Output => _server?.Output ?? "";

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
        ServiceUrl = ready.Groups[1].Value;
    }

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A client for the tests' own checks, signed with the test account.</summary>
    public static AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
        new AmazonS3Config { ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>A bucket of the test's own, so what s3rver logs and lists for it belongs to that test alone.</summary>
    public static async Task<string> CreateBucketAsync()
    {
        var bucket = "t-" + Guid.NewGuid().ToString("N")[..16];
        using var client = CreateClient();
        await client.PutBucketAsync(bucket);
        return bucket;
    }
}
