using System.Text.Json.Nodes;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// <c>POST /v2/destinations/test</c> for the object-store kinds (S3, GCS) against their servers, listing the bucket
/// afterwards. Each kind's fixture (in its own folder) says how to reach its server.
/// </summary>
public abstract class ObjectStoreProbeTests
{
    protected static readonly string[] AllSteps = ["resolve", "connect", "authenticate", "write", "delete"];

    /// <summary><c>s3</c> or <c>gs</c>, as the write step names the object.</summary>
    protected abstract string Scheme { get; }

    /// <summary>A <c>path</c> whose exports land in the folder <c>exports</c>.</summary>
    protected virtual string ExportsPath => "/exports/";

    [Test]
    public async Task A_writable_bucket_passes_every_step_and_no_object_is_left()
    {
        var bucket = await NewBucketAsync();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, ExportsPath), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("write"), Does.Contain($"{Scheme}://{bucket}/exports/.audiencetrends-probe-"));
        Assert.That(await ObjectsInAsync(bucket), Is.Empty);
    }

    [Test]
    public async Task A_missing_bucket_stops_at_write_naming_it()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var answer = await DestinationTestCall.PostAsync(Destination(missing, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, AllSteps[..4]);
        Assert.That(answer.LastDetail, Does.Contain($"no bucket '{missing}'"));
    }

    [Test]
    public async Task A_bucket_that_denies_the_writer_stops_at_write_saying_so()
    {
        var bucket = await DeniedBucketAsync();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, AllSteps[..4]);
        Assert.That(answer.LastDetail, Does.Contain("denied").And.Contain(bucket));
    }

    [Test]
    public async Task An_operator_endpoint_outside_the_allowed_networks_passes_resolve_without_naming_its_host()
    {
        var settings = await SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");
        Assert.That(settings.Keys, Has.None.StartsWith("NetworkGuard:AllowedNetworks"), "loopback is outside the allowed networks");
        var bucket = await NewBucketAsync();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, ExportsPath), settings);

        // The delivery connects to the operators' own endpoint unguarded (the guard is for hosts a request names).
        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("resolve"), Is.EqualTo(
            $"The endpoint in {EndpointSetting} resolves; it is the service's own setting, so the network guard (for hosts a request names) does not apply."));
        Assert.That(answer.Text, Does.Not.Contain(new Uri(settings[EndpointSetting]!).Host), "the operators' host is never shown");
        Assert.That(await ObjectsInAsync(bucket), Is.Empty);
    }

    [Test]
    public async Task An_endpoint_that_accepts_and_never_answers_stops_at_authenticate_with_a_timeout()
    {
        await using var silent = new SilentListener();
        var settings = await SettingsAsync();
        AtSilentEndpoint(settings, silent.Port);

        var answer = await DestinationTestCall.PostAsync(Destination("any-bucket", null), settings);

        answer.AssertSteps(ok: false, AllSteps[..3]);
        Assert.That(answer.LastDetail, Does.Contain("within"));
        Assert.That(answer.Text, Does.Not.Contain("127.0.0.1"), "the operators' host is never shown");
    }

    /// <summary>The setting naming the kind's endpoint, which <see cref="SettingsAsync"/> points at the test server.</summary>
    protected abstract string EndpointSetting { get; }

    protected abstract Task<Dictionary<string, string?>> SettingsAsync();

    /// <summary>Points the kind at 127.0.0.1:<paramref name="port"/> with a request timeout of one second.</summary>
    protected abstract void AtSilentEndpoint(IDictionary<string, string?> settings, int port);

    protected abstract JsonObject Destination(string bucket, string? path);

    protected abstract Task<string> NewBucketAsync();

    protected abstract Task<string> DeniedBucketAsync();

    protected abstract Task<IReadOnlyList<string>> ObjectsInAsync(string bucket);
}
