using AudienceTrends.Core.Destinations.Sftp.Keys;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>The store setting is checked at start-up with every problem listed; the choice is honoured.</summary>
public sealed class SftpKeysOptionsTests
{
    [Test]
    public async Task A_wrong_store_setting_stops_the_app_at_start_listing_every_problem()
    {
        var settings = await TestApp.SettingsAsync();
        settings["SftpKeys:Store"] = "KeyVault";
        settings["SftpKeys:TableName"] = "9-bad";
        settings["SftpKeys:VaultUri"] = "http://kv.example/";
        settings["SftpKeys:MaxKeysPerAccount"] = "0";

        var text = await StartFailureAsync(settings);

        Assert.That(text, Does.Contain("SftpKeys:TableName must be 3 to 63 letters and digits"));
        Assert.That(text, Does.Contain("SftpKeys:MaxKeysPerAccount must be between 1 and 1000."));
        Assert.That(text, Does.Contain("SftpKeys:VaultUri is required with Store KeyVault"));
    }

    [Test]
    public async Task An_unknown_store_stops_the_app_at_start()
    {
        var settings = await TestApp.SettingsAsync();
        settings["SftpKeys:Store"] = "Disk";

        Assert.That(await StartFailureAsync(settings), Does.Contain("SftpKeys:Store must be Table or KeyVault."));
    }

    [TestCase("Table", typeof(TableSftpKeyStore))]
    [TestCase("keyvault", typeof(KeyVaultSftpKeyStore))]
    public async Task The_store_is_the_one_the_setting_names(string store, Type expected)
    {
        var settings = await TestApp.SettingsAsync();
        settings["SftpKeys:Store"] = store;
        settings["SftpKeys:VaultUri"] = "https://kv-example.vault.azure.net/";

        await using var host = await InProcessFunctionsHost.StartAsync(settings);

        Assert.That(host.Services.GetRequiredService<ISftpKeyStore>(), Is.TypeOf(expected));
    }

    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        var failure = await Assert.CatchAsync(async () => await (await InProcessFunctionsHost.StartAsync(settings)).DisposeAsync());
        return failure!.ToString();
    }
}
