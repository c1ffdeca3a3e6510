using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>Runs the tests' own vsftpd for the FTP tests, once for every test in this folder.</summary>
[SetUpFixture]
public sealed class VsftpdServerSetUp
{
    private readonly VsftpdServer _server = new();

    [OneTimeSetUp]
    public Task StartAsync() => _server.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _server.StopAsync();
}
