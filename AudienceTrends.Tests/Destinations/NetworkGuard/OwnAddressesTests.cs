using System.Net;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Destinations.NetworkGuard;

/// <summary>
/// The guard refuses the instance's own interface addresses as it refuses private ones (unless an allowed network holds
/// them), so a destination naming the instance's host name never reaches its own ports.
/// </summary>
public sealed class OwnAddressesTests
{
    // Public addresses no test connects to: what an instance with public interface addresses would list.
    private static readonly IPAddress OwnV4 = IPAddress.Parse("93.184.215.14");
    private static readonly IPAddress OwnV6 = IPAddress.Parse("2606:2800:21f:cb07:6820:80da:af6b:8b2c");

    private static DestinationNetworkGuard Guard(OwnAddresses own, params string[] allowed) =>
        new(Options.Create(new NetworkGuardOptions { AllowedNetworks = [.. allowed] }), new DnsHostResolver(), own);

    private static OwnAddresses Listing(params IPAddress[] addresses) => new(() => addresses, TimeProvider.System);

    [Test]
    public async Task A_public_address_of_the_instance_is_refused_in_every_form()
    {
        var guard = Guard(Listing(OwnV4, OwnV6, IPAddress.Loopback));

        Assert.That(guard.IsAllowed(OwnV4), Is.False);
        Assert.That(guard.IsAllowed(OwnV4.MapToIPv6()), Is.False);
        Assert.That(guard.IsAllowed(IPAddress.Parse("64:ff9b::5db8:d70e")), Is.False, "NAT64 of the own address");
        Assert.That(guard.IsAllowed(OwnV6), Is.False);
        Assert.That(guard.IsAllowed(IPAddress.Parse("8.8.8.8")), Is.True, "other public addresses stay reachable");
        var error = await Assert.ThrowsAsync<ExportFailedException>(() => guard.ResolveAsync(OwnV4.ToString(), 22, CancellationToken.None));
        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.HostNotAllowed));
        Assert.That(error.Message, Does.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public void An_allowed_network_still_governs_own_addresses_including_loopback()
    {
        var guard = Guard(Listing(OwnV4, IPAddress.Loopback), "93.184.215.0/24", "127.0.0.1/32");

        Assert.That(guard.IsAllowed(OwnV4), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Loopback), Is.True);
    }

    [Test]
    public void The_list_is_read_once_and_again_only_after_the_refresh_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var listed = new List<IPAddress> { OwnV4 };
        var reads = 0;
        var own = new OwnAddresses(() => { reads++; return [.. listed]; }, time);

        Assert.That(own.Contains(OwnV4), Is.True);
        listed[0] = OwnV6;
        time.Advance(OwnAddresses.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.That(own.Contains(OwnV4), Is.True, "not read again yet");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(own.Contains(OwnV4), Is.False);
        Assert.That(own.Contains(OwnV6), Is.True);
        Assert.That(reads, Is.EqualTo(2));
    }

    [Test]
    public void The_real_list_holds_every_address_the_operating_system_shows_scope_ids_aside()
    {
        var own = new OwnAddresses(TimeProvider.System);
        var shown = TestHost.Run("ip", ["-o", "addr", "show"]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 3 && fields[2] is "inet" or "inet6")
            .Select(fields => IPAddress.Parse(fields[3].Split('/')[0]))
            .ToList();

        Assert.That(shown, Is.Not.Empty);
        Assert.That(shown.Where(a => !own.Contains(a)), Is.Empty);
    }
}
