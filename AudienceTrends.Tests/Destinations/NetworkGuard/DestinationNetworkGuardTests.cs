using System.Net;
using AudienceTrends.Core.Destinations.NetworkGuard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.NetworkGuard;

public class DestinationNetworkGuardTests
{
    private static DestinationNetworkGuard Guard(params string[] allowed) =>
        new(Options.Create(new NetworkGuardOptions { AllowedNetworks = [.. allowed] }), new DnsHostResolver(), new OwnAddresses(TimeProvider.System));

    [TestCase("127.0.0.1")]
    [TestCase("127.10.20.30")]
    [TestCase("10.1.2.3")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.254")]
    [TestCase("192.168.1.1")]
    [TestCase("100.64.0.1")]
    [TestCase("100.127.255.254")]
    [TestCase("169.254.169.254")]
    [TestCase("169.254.1.1")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.1")]
    [TestCase("239.255.255.250")]
    [TestCase("255.255.255.255")]
    [TestCase("::")]
    [TestCase("::1")]
    [TestCase("fe80::1")]
    [TestCase("fc00::1")]
    [TestCase("fd12:3456:789a::1")]
    [TestCase("ff02::1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("::ffff:169.254.169.254")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("2002:c0a8:0101::1")]
    [TestCase("2002:7f00:0001::1")]
    [TestCase("64:ff9b::7f00:1")]
    [TestCase("168.63.129.16")]
    [TestCase("::ffff:168.63.129.16")]
    [TestCase("64:ff9b:1::808:808")]
    [TestCase("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [TestCase("::ffff:0:a00:1")]
    [TestCase("::ffff:0:808:808")]
    [TestCase("100::1")]
    [TestCase("192.0.2.1")]
    [TestCase("198.51.100.7")]
    [TestCase("203.0.113.7")]
    [TestCase("192.88.99.1")]
    [TestCase("::ffff:203.0.113.7")]
    [TestCase("2001:db8::1")]
    [TestCase("3fff::1")]
    [TestCase("3fff:fff:ffff::1")]
    [TestCase("2001:2::1")]
    [TestCase("2001:10::1")]
    [TestCase("2001:20::1")]
    [TestCase("2001:2f:ffff::1")]
    [TestCase("5f00::1")]
    [TestCase("2606:4700::5efe:a9fe:a9fe")]
    [TestCase("2606:4700::200:5efe:7f00:1")]
    [TestCase("2606:4700::300:5efe:a00:1")]
    [TestCase("2002:808:808::5efe:c0a8:101")]
    public void Refuses_non_public_addresses_by_default(string address)
    {
        Assert.That(Guard().IsAllowed(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("8.8.8.8")]
    [TestCase("172.32.0.1")]
    [TestCase("100.128.0.1")]
    [TestCase("192.169.0.1")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("2001:4860:4860::8888")]
    [TestCase("2001:30::1")]
    [TestCase("3fff:1000::1")]
    [TestCase("2606:4700::5efe:808:808")]
    [TestCase("198.51.101.1")]
    public void Allows_public_addresses(string address)
    {
        Assert.That(Guard().IsAllowed(IPAddress.Parse(address)), Is.True);
    }

    [Test]
    public void An_allowed_network_lets_its_addresses_through_and_nothing_else()
    {
        var guard = Guard("127.0.0.1/32", "10.20.0.0/16");

        Assert.That(guard.IsAllowed(IPAddress.Parse("127.0.0.1")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.20.3.4")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("127.0.0.2")), Is.False);
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.21.0.1")), Is.False);
        Assert.That(guard.IsAllowed(IPAddress.Parse("169.254.169.254")), Is.False);
    }

    [Test]
    public async Task Resolves_an_address_literal_to_itself_when_allowed()
    {
        var address = await Guard("127.0.0.1/32").ResolveAsync("127.0.0.1", 22, CancellationToken.None);

        Assert.That(address, Is.EqualTo(IPAddress.Loopback));
    }

    [Test]
    public async Task Refusal_names_the_destination_and_the_setting()
    {
        var guard = Guard();

        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => guard.ResolveAsync("169.254.169.254", 2222, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain("169.254.169.254:2222").And.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task A_host_name_is_checked_on_the_addresses_it_resolves_to()
    {
        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Guard().ResolveAsync("localhost", 21, CancellationToken.None));

        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain("localhost:21"));
    }

    [Test]
    public async Task A_refusal_never_shows_the_addresses_a_name_resolved_to()
    {
        var error = await Assert.ThrowsAsync<ExportFailedException>(
            () => Guard().ResolveAsync("localhost", 21, CancellationToken.None));

        Assert.That(error!.Message, Does.Not.Contain("127.0.0.1").And.Not.Contain("::1"));
    }

    [Test]
    public void A_translated_address_is_allowed_only_through_its_embedded_network()
    {
        var guard = Guard("10.0.0.0/8");

        Assert.That(guard.IsAllowed(IPAddress.Parse("::ffff:0:a00:1")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("::ffff:0:b00:1")), Is.False);
    }

    [Test]
    public void Invalid_allowed_networks_fail_at_start_naming_each_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NetworkGuard:AllowedNetworks:0"] = "10.0.0.0/8",
            ["NetworkGuard:AllowedNetworks:1"] = "10.0.0.1/8",
            ["NetworkGuard:AllowedNetworks:2"] = "not-a-network",
        }).Build();
        var services = new ServiceCollection();
        services.AddNetworkGuard(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(
            () => _ = provider.GetRequiredService<IOptions<NetworkGuardOptions>>().Value);

        Assert.That(error!.Failures, Has.Exactly(2).Items);
        Assert.That(error.Failures, Has.Some.StartsWith("NetworkGuard:AllowedNetworks:1"));
        Assert.That(error.Failures, Has.Some.StartsWith("NetworkGuard:AllowedNetworks:2"));
    }

    [Test]
    public void Allowed_networks_are_empty_by_default()
    {
        var services = new ServiceCollection();
        services.AddNetworkGuard(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<NetworkGuardOptions>>().Value.AllowedNetworks, Is.Empty);
        Assert.That(provider.GetRequiredService<DestinationNetworkGuard>().IsAllowed(IPAddress.Loopback), Is.False);
    }
}
