using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.Probe;
using AudienceTrends.Tests.Destinations.AzureBlob;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary><c>POST /v2/destinations/test</c> through the in-process host: the endpoint itself, and the kinds Azurite serves.</summary>
public class TestDestinationEndpointTests
{
    private BlobServiceClient _service = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _service = new BlobServiceClient((await Azurite.InstanceAsync()).ConnectionString);

    [Test]
    public async Task Every_registered_kind_has_a_delivery_and_a_probe_in_the_app()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;

        var kinds = host.Services.GetRequiredService<DestinationKinds>();

        var probes = kinds.WireNames.Select(kinds.ProbeFor).ToList();
        var deliveries = kinds.WireNames.Select(kinds.DeliveryFor).ToList();
        Assert.That(probes, Is.All.Not.Null);
        Assert.That(probes, Is.Unique);
        Assert.That(deliveries, Is.All.Not.Null);
        Assert.That(deliveries, Is.Unique);
        Assert.That(kinds.WireNames, Is.SupersetOf(new[] { "aws", "ftp", "sftp", "s3", "gcs", "azureblob" }));
        Assert.That(host.Services.GetRequiredService<DestinationTester>(), Is.Not.Null, "the tester accepts the registered kinds");
    }

    [Test]
    public async Task A_writable_container_passes_every_step_and_no_blob_is_left()
    {
        var container = await NewContainerAsync();

        var answer = await DestinationTestCall.PostAsync(Destination(container.Uri.ToString(), AzureBlobDestinationTests.Sas(container), "reports/july.csv"));

        answer.AssertSteps(ok: true, "resolve", "connect", "write");
        Assert.That(answer.Json["steps"]!.AsArray().All(s => s!["ms"]!.GetValue<long>() >= 0), Is.True, answer.Text);
        Assert.That(await AzureBlobDestinationTests.BlobsIn(container), Is.Empty, "nothing is visible after the test");
    }

    [Test]
    public async Task A_forged_token_fails_the_write_step_saying_why_without_the_token()
    {
        var container = await NewContainerAsync();
        var sas = AzureBlobDestinationTests.Sas(container).Replace("sig=", "sig=AAAA", StringComparison.Ordinal);

        var answer = await DestinationTestCall.PostAsync(Destination(container.Uri.ToString(), sas));

        answer.AssertSteps(ok: false, "resolve", "connect", "write");
        Assert.That(answer.LastDetail, Does.Contain("refused the SAS token"));
        Assert.That(answer.Text, Does.Not.Contain("sig="));
        answer.AssertNeverShows(sas[(sas.IndexOf("sig=", StringComparison.Ordinal) + 4)..]);
    }

    [Test]
    public async Task A_missing_container_fails_the_write_step()
    {
        var missing = _service.GetBlobContainerClient("missing-" + Guid.NewGuid().ToString("N")[..12]);

        var answer = await DestinationTestCall.PostAsync(Destination(missing.Uri.ToString(), AzureBlobDestinationTests.Sas(missing)));

        Assert.That(answer.LastStep["name"]!.GetValue<string>(), Is.EqualTo("write"));
        Assert.That(answer.LastDetail, Does.Contain("has no container").And.Contain(missing.Name));
    }

    [Test]
    public async Task A_host_the_network_guard_refuses_stops_at_resolve()
    {
        var container = await NewContainerAsync();
        var settings = await TestApp.SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");

        var answer = await DestinationTestCall.PostAsync(Destination(container.Uri.ToString(), AzureBlobDestinationTests.Sas(container)), settings);

        answer.AssertSteps(ok: false, "resolve");
        Assert.That(answer.LastDetail, Does.Contain("no usable address").And.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task An_azureblob_write_to_a_silent_endpoint_ends_at_the_tests_cap()
    {
        // The client's own request timeout (5 minutes) and retries would run far longer: the cap ends the step.
        await using var silent = new SilentListener();
        var settings = await TestApp.SettingsAsync();
        settings["DestinationTest:Timeout"] = "00:00:03";

        var answer = await DestinationTestCall.PostAsync(
            Destination($"http://127.0.0.1:{silent.Port}/devstoreaccount1/probe-budget", "sv=2024-08-04&sp=w&sig=c2lnbmF0dXJl"), settings)
            .WaitAsync(TimeSpan.FromSeconds(90));

        answer.AssertSteps(ok: false, "resolve", "connect", "write");
        Assert.That(answer.LastDetail, Does.Contain("DestinationTest:Timeout"));
    }

    [Test]
    public async Task Managed_storage_writes_and_deletes_a_probe_in_the_services_own_container()
    {
        var answer = await DestinationTestCall.PostAsync(new JsonObject { ["type"] = "aws" });

        answer.AssertSteps(ok: true, "write", "delete");
    }

    [Test]
    public async Task A_bad_destination_gets_400_naming_the_field_as_an_export_would()
    {
        var (host, _) = await TestApp.StartInProcessAsync(await TestApp.SettingsAsync());
        await using var _ = host;
        var body = new JsonObject { ["destination"] = Destination("http://myaccount.blob.core.windows.net/exports", "sv=1") };

        using var response = await host.Client.PostAsync("v2/destinations/test", HttpJson.Body(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key),
            Is.EquivalentTo(new[] { "destination.container_url", "destination.sas_token" }));
    }

    private static JsonObject Destination(string containerUrl, string sas, string? path = null) => new()
    {
        ["type"] = "azureblob",
        ["container_url"] = containerUrl,
        ["sas_token"] = sas,
        ["path"] = path,
    };

    private Task<BlobContainerClient> NewContainerAsync() => AzureBlobDestinationTests.NewContainerAsync(_service);
}
