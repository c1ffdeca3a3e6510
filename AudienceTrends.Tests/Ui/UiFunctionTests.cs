using System.Net;
using AudienceTrends.Functions;
using AudienceTrends.Functions.Ui;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Ui;

/// <summary>The static files of the Jobs page as the app serves them: public, with the page's security headers.</summary>
public sealed class UiFunctionTests
{
    private InProcessFunctionsHost _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = (await TestApp.StartInProcessAsync(await TestApp.SettingsAsync())).Host;

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [TestCase("ui/", "text/html")]
    [TestCase("ui/jobs", "text/html")]
    [TestCase("ui/jobs/0123456789abcdef01234567", "text/html")]
    [TestCase("ui/new", "text/html")]
    [TestCase("ui/app.js", "text/javascript")]
    [TestCase("ui/app.css", "text/css")]
    [TestCase("ui/icon.svg", "image/svg+xml")]
    public async Task Each_file_is_served_without_a_key_with_its_type_and_the_security_headers(string path, string mediaType)
    {
        using var response = await _app.AnonymousClient.GetAsync(path);
        var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
            Assert.That(csp, Does.Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain("style-src 'self'")
                .And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe"));
            Assert.That(response.Headers.GetValues("Referrer-Policy"), Is.EqualTo(new[] { "no-referrer" }));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
            Assert.That(response.Headers.ETag, Is.Not.Null);
        });
    }

    [Test]
    public async Task An_app_page_is_the_index_and_a_missing_file_is_404_not_the_page()
    {
        var index = await _app.AnonymousClient.GetStringAsync("ui/");
        Assert.Multiple(async () =>
        {
            Assert.That(await _app.AnonymousClient.GetStringAsync("ui/jobs/abc"), Is.EqualTo(index));
            Assert.That((await _app.AnonymousClient.GetAsync("ui/no-such-module.js")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await _app.AnonymousClient.GetAsync("ui/../v2/jobs")).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public void The_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere()
    {
        var html = System.Text.Encoding.UTF8.GetString(UiFiles.Find("")!.Content);
        var all = UiFiles.Names.Select(n => System.Text.Encoding.UTF8.GetString(UiFiles.Find(n)!.Content)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>").Select(m => m.Value),
                Is.All.Contain("src=\"/ui/"), "scripts come from files, none inline");
            Assert.That(html, Does.Not.Contain("<style").And.Not.Contain("style=").And.Not.Contain(" on"));
            Assert.That(all, Has.None.Contain("innerHTML").And.None.Contain("insertAdjacentHTML").And.None.Contain("document.write"),
                "values are added as text only");
            Assert.That(all, Has.None.Match("(src|href)=\"https?://"), "no CDN");
            Assert.That(UiFiles.Names.Sum(n => UiFiles.Find(n)!.Content.Length), Is.LessThan(100 * 1024), "all of it fits the first load's budget");
        });
    }

    [Test]
    public void The_page_and_the_health_status_are_the_only_public_http_functions() =>
        Assert.That(Accounts.DefaultDenyTests.PublicFunctions, Is.EquivalentTo(new[] { nameof(UiFunction.Ui), nameof(HealthFunctions.GetHealth) }),
            "a new public route is a security decision: review it before adding it here");
}
