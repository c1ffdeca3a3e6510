using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>Runs the tests' own sshd for the SFTP tests, once for every test in this folder.</summary>
[SetUpFixture]
public sealed class SshdServerSetUp
{
    private readonly SshdServer _server = new();

    [OneTimeSetUp]
    public Task StartAsync() => _server.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _server.StopAsync();
}
