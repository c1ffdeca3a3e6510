using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests;

/// <summary>Stops the run-wide servers and deletes the run's temp folders once every test has finished.</summary>
[SetUpFixture]
public sealed class TestRunTeardown
{
    [OneTimeTearDown]
    public async Task StopSharedServersAsync()
    {
        await Azurite.StopIfStartedAsync();
        TempFolders.DeleteAll();
    }
}
