using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Accounts;

/// <summary>Wrong account settings stop the app at start-up, each named with its full setting name.</summary>
public sealed class AccountsOptionsTests
{
    [Test]
    public async Task Wrong_account_settings_stop_the_app_naming_each()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Accounts:AccountsTableName"] = "no-dashes";
        settings["Accounts:KeysTableName"] = "x";
        settings["Accounts:MaxKeysPerAccount"] = "0";

        var failure = await Assert.CatchAsync(async () => await (await InProcessFunctionsHost.StartAsync(settings)).DisposeAsync());

        var messages = failure is AggregateException all
            ? string.Join("\n", all.Flatten().InnerExceptions.Select(e => e.Message))
            : failure!.Message;
        Assert.That(failure, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<AggregateException>());
        Assert.That(messages, Does.Contain("Accounts:AccountsTableName").And.Contain("Accounts:KeysTableName").And.Contain("Accounts:MaxKeysPerAccount"));
    }

    [Test]
    public async Task An_unknown_client_address_source_stops_the_app()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Accounts:ClientAddress"] = "XForwardedFor";

        Assert.That(await Assert.CatchAsync(async () => await (await InProcessFunctionsHost.StartAsync(settings)).DisposeAsync()), Is.Not.Null);
    }
}
