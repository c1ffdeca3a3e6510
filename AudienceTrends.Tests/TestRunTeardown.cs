using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests;

/// <summary>Stops the run-wide servers once every test has finished.</summary>
[SetUpFixture]
public sealed class TestRunTeardown
{
    [OneTimeTearDown]
    public Task StopSharedServersAsync() => Azurite.StopIfStartedAsync();
}
