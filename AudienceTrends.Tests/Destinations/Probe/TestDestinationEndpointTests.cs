using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Destinations.AzureBlob;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Storage.Blobs;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary><c>POST /v2/destinations/test</c> through the in-process host, against Azurite.</summary>
public class TestDestinationEndpointTests
{
    private BlobServiceClient _service = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _service = new BlobServiceClient((await Azurite.InstanceAsync()).ConnectionString);

    [Test]
    public async Task A_writable_container_passes_every_step_and_no_blob_is_left()
    {
        var container = await NewContainerAsync();

        var (answer, text) = await TestAsync(Destination(container.Uri.ToString(), AzureBlobDestinationTests.Sas(container), "reports/july.csv"));

        Assert.That(answer["ok"]!.GetValue<bool>(), Is.True, text);
        Assert.That(StepNames(answer), Is.EqualTo(new[] { "resolve", "network guard", "connect", "write" }));
        Assert.That(answer["steps"]!.AsArray().All(s => s!["ok"]!.GetValue<bool>() && s["ms"]!.GetValue<long>() >= 0), Is.True, text);
        Assert.That(await AzureBlobDestinationTests.BlobsIn(container), Is.Empty, "nothing is visible after the test");
    }

    [Test]
    public async Task A_forged_token_fails_the_write_step_saying_why_without_the_token()
    {
        var container = await NewContainerAsync();
        var sas = AzureBlobDestinationTests.Sas(container).Replace("sig=", "sig=AAAA", StringComparison.Ordinal);

        var (answer, text) = await TestAsync(Destination(container.Uri.ToString(), sas));

        Assert.That(answer["ok"]!.GetValue<bool>(), Is.False);
        var last = answer["steps"]!.AsArray()[^1]!;
        Assert.That(StepNames(answer), Is.EqualTo(new[] { "resolve", "network guard", "connect", "write" }), "stops at the failing step");
        Assert.That(last["ok"]!.GetValue<bool>(), Is.False);
        Assert.That(last["detail"]!.GetValue<string>(), Does.Contain("refused the SAS token"));
        Assert.That(text, Does.Not.Contain("sig=").And.Not.Contain(sas[(sas.IndexOf("sig=", StringComparison.Ordinal) + 4)..]));
    }

    [Test]
    public async Task A_missing_container_fails_the_write_step()
    {
        var missing = _service.GetBlobContainerClient("missing-" + Guid.NewGuid().ToString("N")[..12]);

        var (answer, _) = await TestAsync(Destination(missing.Uri.ToString(), AzureBlobDestinationTests.Sas(missing)));

        var last = answer["steps"]!.AsArray()[^1]!;
        Assert.That(last["name"]!.GetValue<string>(), Is.EqualTo("write"));
        Assert.That(last["detail"]!.GetValue<string>(), Does.Contain("has no container").And.Contain(missing.Name));
    }

    [Test]
    public async Task A_host_the_network_guard_refuses_stops_at_the_network_guard_step()
    {
        var container = await NewContainerAsync();
        var settings = await TestApp.SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");

        var (answer, _) = await TestAsync(Destination(container.Uri.ToString(), AzureBlobDestinationTests.Sas(container)), settings);

        Assert.That(StepNames(answer), Is.EqualTo(new[] { "resolve", "network guard" }));
        Assert.That(answer["steps"]!.AsArray()[^1]!["detail"]!.GetValue<string>(), Does.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task Managed_storage_writes_and_deletes_a_probe_in_the_services_own_container()
    {
        var (answer, text) = await TestAsync(new JsonObject { ["type"] = "aws" });

        Assert.That(answer["ok"]!.GetValue<bool>(), Is.True, text);
        Assert.That(StepNames(answer), Is.EqualTo(new[] { "write", "delete" }));
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

    private static async Task<(JsonNode Answer, string Text)> TestAsync(JsonObject destination, Dictionary<string, string?>? settings = null)
    {
        var (host, _) = await TestApp.StartInProcessAsync(settings ?? await TestApp.SettingsAsync());
        await using var _ = host;
        using var response = await host.Client.PostAsync(
            "v2/destinations/test", HttpJson.Body(new JsonObject { ["destination"] = destination }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return (JsonNode.Parse(text)!, text);
    }

    private static List<string> StepNames(JsonNode answer) =>
        answer["steps"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToList();

    private Task<BlobContainerClient> NewContainerAsync() => AzureBlobDestinationTests.NewContainerAsync(_service);
}
