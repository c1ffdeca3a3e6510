using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Destinations.Gcs;

/// <summary>The destination test of <c>gcs</c> against the GCS stand-in, checking its objects and upload sessions afterwards.</summary>
public class GcsProbeTests
{
    private static readonly string[] AllSteps = ["resolve", "network guard", "connect", "authenticate", "write", "delete"];

    private GcsEmulator _emulator = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _emulator = await GcsEmulator.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _emulator.DisposeAsync();

    [Test]
    public async Task A_writable_bucket_passes_every_step_and_no_object_or_session_is_left()
    {
        var bucket = _emulator.AddBucket();

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, "/exports/"), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("write"), Does.Contain($"gs://{bucket}/exports/.audiencetrends-probe-"));
        Assert.That(ObjectsIn(bucket), Is.Empty);
        Assert.That(_emulator.OpenSessionsIn(bucket), Is.Zero);
    }

    [Test]
    public async Task Credentials_gcs_refuses_stop_at_authenticate_without_showing_the_key()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Private);
        var settings = await SettingsAsync();
        settings.Remove("Gcs:UnauthenticatedAccess");
        using var key = RSA.Create(2048);
        var privateKey = key.ExportPkcs8PrivateKeyPem();
        settings["Gcs:CredentialsJson"] = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "audiencetrends-test",
            ["private_key_id"] = "key-1",
            ["private_key"] = privateKey,
            ["client_email"] = "unknown@audiencetrends-test.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
        });

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, null), settings);

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("refused the service's credentials").And.Contain("Gcs:CredentialsJson"));
        answer.AssertNeverShows(privateKey.Split('\n')[1]);
    }

    [Test]
    public async Task A_missing_bucket_stops_at_write_naming_it()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var answer = await DestinationTestCall.PostAsync(Destination(missing, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate", "write");
        Assert.That(answer.LastDetail, Does.Contain($"no bucket '{missing}'"));
    }

    [Test]
    public async Task A_bucket_that_denies_the_service_stops_at_write_saying_so()
    {
        var bucket = _emulator.AddBucket(GcsEmulator.Access.Forbidden);

        var answer = await DestinationTestCall.PostAsync(Destination(bucket, "folder"), await SettingsAsync());

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate", "write");
        Assert.That(answer.LastDetail, Does.Contain("denied").And.Contain(bucket));
    }

    [Test]
    public async Task An_endpoint_outside_the_network_guard_stops_at_the_network_guard()
    {
        var settings = await SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");

        var answer = await DestinationTestCall.PostAsync(Destination(_emulator.AddBucket(), null), settings);

        answer.AssertSteps(ok: false, "resolve", "network guard");
        Assert.That(answer.LastDetail, Does.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task An_endpoint_that_accepts_and_never_answers_stops_at_authenticate_with_a_timeout()
    {
        await using var silent = new SilentListener();
        var settings = await SettingsAsync();
        settings["Gcs:BaseUri"] = $"http://127.0.0.1:{silent.Port}/storage/v1/";
        settings["Gcs:RequestTimeout"] = "00:00:01";

        var answer = await DestinationTestCall.PostAsync(Destination("any-bucket", null), settings);

        answer.AssertSteps(ok: false, "resolve", "network guard", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("within"));
    }

    private async Task<Dictionary<string, string?>> SettingsAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Gcs:BaseUri"] = _emulator.BaseUri;
        settings["Gcs:UnauthenticatedAccess"] = "true";
        return settings;
    }

    private static JsonObject Destination(string bucket, string? path) => new() { ["type"] = "gcs", ["gcs_bucket"] = bucket, ["path"] = path };

    private List<string> ObjectsIn(string bucket) => [.. _emulator.Objects.Keys.Where(k => k.StartsWith(bucket + "/", StringComparison.Ordinal))];
}
