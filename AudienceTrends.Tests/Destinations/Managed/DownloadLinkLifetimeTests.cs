using AudienceTrends.Core.Destinations.Managed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.Managed;

/// <summary>
/// In Azure, download links are signed with a user delegation key, which Azure refuses to issue for more than 7 days:
/// a longer link lifetime would make every GET of a finished managed job fail.
/// </summary>
public sealed class DownloadLinkLifetimeTests
{
    [TestCase("6.00:00:01")]
    [TestCase("7.00:00:00")]
    [TestCase("30.00:00:00")]
    public void A_lifetime_past_what_a_delegation_key_can_sign_stops_the_app_naming_the_setting(string lifetime)
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = Options(lifetime));

        Assert.That(error!.Failures, Has.One.StartsWith("ManagedStorage:DownloadUrlLifetime"));
    }

    [TestCase("00:01:00")]
    [TestCase("6.00:00:00")]
    public void A_lifetime_up_to_six_days_is_accepted(string lifetime)
    {
        Assert.That(Options(lifetime).DownloadUrlLifetime, Is.EqualTo(TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void The_delegation_key_outlives_the_link_by_a_day_but_never_reaches_azures_seven_day_limit()
    {
        var now = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        Assert.That(DownloadLinks.DelegationKeyExpiry(now, now.AddHours(1)), Is.EqualTo(now.AddHours(25)));
        var longest = DownloadLinks.DelegationKeyExpiry(now, now + ManagedStorageOptions.MaxDownloadUrlLifetime);
        Assert.That(longest, Is.GreaterThanOrEqualTo(now + ManagedStorageOptions.MaxDownloadUrlLifetime));
        Assert.That(longest, Is.LessThan(now.AddDays(7)));
    }

    private static ManagedStorageOptions Options(string lifetime)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ManagedStorage:DownloadUrlLifetime"] = lifetime,
        }).Build();
        var services = new ServiceCollection();
        services.AddManagedStorage(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ManagedStorageOptions>>().Value;
    }
}
