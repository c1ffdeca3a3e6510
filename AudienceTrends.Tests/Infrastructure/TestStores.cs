using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>Stores built by hand for tests of one store, wired as the app wires them.</summary>
internal static class TestStores
{
    /// <summary>A job store on <paramref name="options"/>' table; maintenance's sweeps see the test accounts' partitions.</summary>
    public static JobStore Jobs(StorageClients storage, JobsOptions options)
    {
        var accounts = Options.Create(new AccountsOptions { LegacyAccount = TestAccounts.LegacyOwner });
        return new JobStore(storage, Options.Create(options), accounts, new AccountStore(storage, accounts), new DestinationKinds([]));
    }
}
