using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Destinations.Sftp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

public class SftpOptionsTests
{
    [Test]
    public void An_unreadable_saved_key_fails_at_start_without_echoing_the_value()
    {
        const string notAKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-really-a-key\n-----END OPENSSH PRIVATE KEY-----";
        using var provider = Build(new()
        {
            ["Sftp:SavedKeys:partner-a"] = notAKey,
            ["Sftp:ConnectTimeout"] = "00:00:00",
            ["Ftp:DataTimeout"] = "-00:00:01",
        });

        var sftp = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SftpOptions>>().Value);
        var ftp = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<FtpOptions>>().Value);

        Assert.That(sftp!.Failures, Has.Some.StartsWith("Sftp:SavedKeys:partner-a"));
        Assert.That(sftp.Failures, Has.Some.StartsWith("Sftp:ConnectTimeout"));
        Assert.That(sftp.Message, Does.Not.Contain("not-really-a-key"));
        Assert.That(ftp!.Failures, Is.EqualTo(new[] { "Ftp:DataTimeout must be between 00:00:01 and 01:00:00." }));
    }

    [Test]
    public async Task A_saved_key_is_found_by_name_whatever_its_case()
    {
        var keyFile = Path.Combine(TestHost.CreateRoot("key-"), "id");
        try
        {
            TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
            using var provider = Build(new()
            {
                ["Sftp:SavedKeys:Partner-A"] = await File.ReadAllTextAsync(keyFile),
                ["Sftp:SavedKeyAccounts:PARTNER-a"] = TestAccounts.Demo,
            });
            var store = provider.GetRequiredService<ISavedKeyStore>();

            Assert.That(await store.FindAsync(TestAccounts.DemoId, "partner-a", CancellationToken.None), Is.Not.Null);
            Assert.That(await store.FindAsync(TestAccounts.DemoId, "partner-b", CancellationToken.None), Is.Null);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(keyFile)!, recursive: true);
        }
    }

    [Test]
    public async Task A_saved_key_may_log_in_only_to_the_hosts_listed_for_it()
    {
        using var provider = Build(new()
        {
            ["Sftp:SavedKeys:Partner-A"] = ExampleSavedKey.Settings()[$"Sftp:SavedKeys:{ExampleSavedKey.Name}"],
            ["Sftp:SavedKeyHosts:partner-a"] = "sftp.partner-a.example, 10.1.2.3 [2001:db8::1]",
            ["Sftp:SavedKeyAccounts:partner-a"] = TestAccounts.Demo,
            ["Sftp:SavedKeys:legacy"] = ExampleSavedKey.Settings()[$"Sftp:SavedKeys:{ExampleSavedKey.Name}"],
            ["Sftp:SavedKeyAccounts:legacy"] = TestAccounts.Demo,
        });
        var store = provider.GetRequiredService<ISavedKeyStore>();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "partner-a", "SFTP.Partner-A.example.", CancellationToken.None), Is.EqualTo(SavedKeyUse.Allowed));
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "partner-a", "10.1.2.3", CancellationToken.None), Is.EqualTo(SavedKeyUse.Allowed));
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "partner-a", "2001:db8::1", CancellationToken.None), Is.EqualTo(SavedKeyUse.Allowed));
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "partner-a", "sftp.partner-b.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.HostNotAllowed));
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "legacy", "sftp.partner-a.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.HostNotAllowed), "no hosts: refused everywhere");
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "partner-b", "sftp.partner-a.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.UnknownKey));
        });
        Assert.That(await store.FindAsync(TestAccounts.DemoId, "legacy", CancellationToken.None), Is.Not.Null, "a key without hosts still loads: old settings start");
    }

    [Test]
    public void Hosts_for_a_key_that_is_not_configured_fail_at_start()
    {
        using var provider = Build(new() { ["Sftp:SavedKeyHosts:typo"] = "sftp.example.com" });

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SftpOptions>>().Value);

        Assert.That(error!.Failures, Is.EqualTo(new[] { "Sftp:SavedKeyHosts:typo names no key in SavedKeys." }));
    }

    [Test]
    public async Task A_settings_key_is_usable_only_by_the_accounts_listed_for_it_and_by_none_when_none_are()
    {
        var key = ExampleSavedKey.Settings()[$"Sftp:SavedKeys:{ExampleSavedKey.Name}"];
        using var provider = Build(new()
        {
            ["Sftp:SavedKeys:shared"] = key,
            ["Sftp:SavedKeyHosts:shared"] = "sftp.partner-a.example",
            ["Sftp:SavedKeyAccounts:shared"] = "Globex, acme",
            ["Sftp:SavedKeys:nobodys"] = key,
            ["Sftp:SavedKeyHosts:nobodys"] = "sftp.partner-a.example",
        });
        var store = provider.GetRequiredService<ISavedKeyStore>();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await store.CheckAsync(TestAccounts.OtherId, "shared", "sftp.partner-a.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.Allowed));
            Assert.That(await store.FindAsync(TestAccounts.OtherId, "shared", CancellationToken.None), Is.Not.Null);
            Assert.That(await store.CheckAsync(TestAccounts.DemoId, "shared", "sftp.partner-a.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.UnknownKey));
            Assert.That(await store.FindAsync(TestAccounts.DemoId, "shared", CancellationToken.None), Is.Null);
            Assert.That(await store.CheckAsync(TestAccounts.OtherId, "nobodys", "sftp.partner-a.example", CancellationToken.None), Is.EqualTo(SavedKeyUse.UnknownKey));
            Assert.That(await store.FindAsync(TestAccounts.DemoId, "nobodys", CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public void Accounts_for_a_key_that_is_not_configured_or_that_are_not_account_ids_fail_at_start()
    {
        using var provider = Build(new()
        {
            ["Sftp:SavedKeys:partner-a"] = ExampleSavedKey.Settings()[$"Sftp:SavedKeys:{ExampleSavedKey.Name}"],
            ["Sftp:SavedKeyAccounts:partner-a"] = "demo, acme_corp",
            ["Sftp:SavedKeyAccounts:typo"] = "demo",
        });

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SftpOptions>>().Value);

        Assert.That(error!.Failures, Is.EquivalentTo(new[]
        {
            "Sftp:SavedKeyAccounts:typo names no key in SavedKeys.",
            "Sftp:SavedKeyAccounts:partner-a lists \"acme_corp\", which is not an account id: an id must be 1 to 64 letters (A-Z, a-z), digits or dashes, starting with a letter or a digit.",
        }));
    }

    // As the app builds it: a name the settings do not hold is looked up in the saved keys' store (the run's Azurite).
    private static ServiceProvider Build(Dictionary<string, string?> settings) => TestHost.Destination(SftpKind.Name, settings).Provider;
}
