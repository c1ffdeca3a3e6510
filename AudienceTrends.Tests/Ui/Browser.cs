using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AudienceTrends.Tests.Ui;

/// <summary>
/// Debian's <c>chromium</c> (installed by scripts/install-test-prereqs.sh) driven by Playwright: no browser is
/// downloaded, Playwright is pointed at the installed executable. One browser per fixture, a fresh context (its own
/// sessionStorage, downloads) per test.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Chromium = browser;
    }

    public IBrowser Chromium { get; }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/install-test-prereqs.sh (it installs Debian's chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // The tests run as root (see README), where Chromium's own sandbox cannot start.
                ChromiumSandbox = false,
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public Task<IBrowserContext> NewContextAsync(Uri baseAddress) =>
        Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            AcceptDownloads = true,
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>The test's screenshot, in the test run's output folder (never committed); attached to the result.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string? name = null)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "ui-screenshots");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{name ?? TestContext.CurrentContext.Test.MethodName}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file);
        return file;
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now, one line each.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")
            .ToList();
    }
}
