using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.S3;

/// <summary>Runs the shared s3rver for the S3 tests, once for every test in this folder.</summary>
[SetUpFixture]
[StartsProcesses]
public sealed class S3ServerSetUp
{
    private readonly S3ServerFixture _server = new();

    [OneTimeSetUp]
    public Task StartAsync() => _server.StartSharedAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _server.StopAsync();
}
