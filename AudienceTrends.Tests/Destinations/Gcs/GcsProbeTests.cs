using System.Text.Json.Nodes;
using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.Gcs;

/// <summary>The destination test of <c>gcs</c> against the GCS stand-in: the object-store scenarios, credentials and upload sessions.</summary>
public class GcsProbeTests : ObjectStoreProbeTests
{
    private GcsEmulator _emulator = null!;

    protected override string Scheme => "gs";

    [OneTimeSetUp]
    public async Task StartAsync() => _emulator = await GcsEmulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task No_upload_session_is_left_open()
    {
        var bucket = _emulator.AddBucket();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, null), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(_emulator.OpenSessionsIn(bucket), Is.Zero);
    }

    [Test]
    public async Task Credentials_gcs_refuses_stop_at_authenticate_without_showing_the_key()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Private);
        var settings = await SettingsAsync();
        settings.Remove("Gcs:UnauthenticatedAccess");
        settings["Gcs:CredentialsJson"] = GcsDestinationTests.ServiceAccountJson("unknown@audiencetrends-test.iam.gserviceaccount.com");
        var privateKeyLine = JsonNode.Parse(settings["Gcs:CredentialsJson"]!)!["private_key"]!.GetValue<string>().Split('\n')[1];

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, null), settings);

        answer.AssertSteps(ok: false, AllSteps[..3]);
        Assert.That(answer.LastDetail, Does.Contain("refused the service's credentials").And.Contain("Gcs:CredentialsJson"));
        answer.AssertNeverShows(privateKeyLine);
    }

    protected override string EndpointSetting => "Gcs:BaseUri";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Gcs:BaseUri"] = _emulator.BaseUri;
        settings["Gcs:UnauthenticatedAccess"] = "true";
        return settings;
    }

    protected override void AtSilentEndpoint(IDictionary<string, string?> settings, int port)
    {
        settings["Gcs:BaseUri"] = $"http://127.0.0.1:{port}/storage/v1/";
        settings["Gcs:RequestTimeout"] = "00:00:01";
    }

    protected override JsonObject Destination(string bucket, string? path) => new() { ["type"] = "gcs", ["gcs_bucket"] = bucket, ["path"] = path };

    protected override Task<string> NewBucketAsync() => Task.FromResult(_emulator.AddBucket());

    protected override Task<string> DeniedBucketAsync() => Task.FromResult(_emulator.AddBucket(GcsEmulator.Access.Forbidden));

    protected override Task<IReadOnlyList<string>> ObjectsInAsync(string bucket) =>
        Task.FromResult<IReadOnlyList<string>>([.. _emulator.Objects.Keys.Where(k => k.StartsWith(bucket + "/", StringComparison.Ordinal))]);
}
