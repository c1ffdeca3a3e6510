using System.Text.Json.Nodes;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.LocalHost;
using Azure.Storage.Blobs;
using Microsoft.Playwright;

namespace AudienceTrends.Tests.Ui;

/// <summary>
/// The Jobs page in Debian's Chromium against the local host as a user runs it (Kestrel on a loopback port, the
/// queue and timer triggers working on their own) and the run's Azurite. One app and one browser per fixture; each
/// test has a fresh browser context (signed out) and saves a screenshot of where it ended.
/// </summary>
[StartsProcesses]
public abstract class JobsPageFixture
{
    private IBrowserContext? _context;

    protected Dictionary<string, string?> Settings { get; private set; } = null!;

    protected RunningLocalHost Host { get; private set; } = null!;

    protected Browser Browser { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    protected Uri BaseAddress => Host.Client.BaseAddress!;

    /// <summary>What the page logged as errors (a CSP refusal, an uncaught exception): each test expects none.</summary>
    protected List<string> PageErrors { get; } = [];

    /// <summary>Extra app settings of the fixture (a stopped worker).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Settings = await TestApp.SettingsAsync();
        foreach (var (key, value) in ExtraSettings)
        {
            Settings[key] = value;
        }

        Host = await RunningLocalHost.StartAsync(Settings);
        Browser = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    [SetUp]
    public async Task OpenAsync()
    {
        PageErrors.Clear();
        _context = await Browser.NewContextAsync(BaseAddress);
        _context.SetDefaultTimeout(30_000);
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                PageErrors.Add(message.Text);
            }
        };
        Page.PageError += (_, error) => PageErrors.Add(error);
    }

    [TearDown]
    public async Task CloseAsync()
    {
        try
        {
            await Browser.ScreenshotAsync(Page);
        }
        finally
        {
            await _context!.DisposeAsync();
        }
    }

    protected async Task SignInAsync(string? key = null)
    {
        await Page.GotoAsync("/ui/jobs");
        await Page.GetByLabel("API key").FillAsync(key ?? Host.Keys.Demo);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Jobs", Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>Creates a job through the API (as another client of the account would) and returns its id.</summary>
    protected async Task<string> CreateJobAsync(string body, HttpClient? client = null)
    {
        var created = await (client ?? Host.Client).PostExportAsync(body);
        var json = await created.JsonAsync();
        Assert.That((int)created.StatusCode, Is.EqualTo(202), json.ToJsonString());
        return json["jobId"]!.GetValue<string>();
    }

    /// <summary>An azureblob destination at the run's Azurite with a SAS it refuses: the job fails at once, its test fails a step.</summary>
    protected async Task<JsonObject> RefusedBlobDestinationAsync()
    {
        var azurite = await Azurite.InstanceAsync();
        var account = new BlobServiceClient(azurite.ConnectionString).Uri.ToString().TrimEnd('/');
        return new JsonObject
        {
            ["type"] = "azureblob",
            ["container_url"] = $"{account}/refused",
            ["sas_token"] = "sv=2024-08-04&sr=c&sp=cw&se=2099-01-01T00%3A00%3A00Z&sig=bm90LWEtc2lnbmF0dXJl",
        };
    }

    protected static string UiExample => HttpJson.Example("ui-download.json");

    protected async Task AssertAccessibleAsync(string what)
    {
        var violations = await Browser.SeriousAccessibilityViolationsAsync(Page);
        Assert.That(violations, Is.Empty, $"axe-core on {what}");
    }
}
