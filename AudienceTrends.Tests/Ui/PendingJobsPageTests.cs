using AudienceTrends.Tests.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AudienceTrends.Tests.Ui;

/// <summary>
/// The Jobs page with the export worker stopped (the Functions host's <c>AzureWebJobs.ProcessExportJob.Disabled</c>),
/// so jobs stay Pending: cancelling one, the keyboard-only flow, what a hostile name does, the page's weight and the
/// SFTP keys page.
/// </summary>
public sealed class PendingJobsPageTests : JobsPageFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings =>
        new Dictionary<string, string?> { ["AzureWebJobs.ProcessExportJob.Disabled"] = "true" };

    [Test]
    public async Task A_pending_job_is_cancelled_from_its_page_after_confirmation()
    {
        var jobId = await CreateJobAsync(UiExample);
        await SignInAsync();
        await Page.GotoAsync($"/ui/jobs/{jobId}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Pending");
        await Expect(Page.GetByText("Updated")).ToContainTextAsync("s ago");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Cancel the export \"audiencetrends\"?");
        await AssertAccessibleAsync("the cancel confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        Assert.That((await (await Host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("Pending"),
            "keeping it cancels nothing");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Cancelled");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" })).ToHaveCountAsync(0);
        Assert.That((await (await Host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
    }

    [Test]
    public async Task The_list_refreshes_itself_while_a_job_is_active_and_says_when()
    {
        var jobId = await CreateJobAsync(UiExample.Replace("\"audiencetrends\"", "\"refreshing\""));
        await SignInAsync();
        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "refreshing" });
        await Expect(row).ToContainTextAsync("Pending");
        await Expect(Page.GetByText(new System.Text.RegularExpressions.Regex("^Updated [1-9]\\d* s ago$"))).ToBeVisibleAsync();

        using var cancelled = await Host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
        Assert.That((int)cancelled.StatusCode, Is.EqualTo(200));

        await Expect(row).ToContainTextAsync("Cancelled"); // no reload: the page asked again by itself
    }

    [Test]
    public async Task The_whole_create_export_flow_works_with_the_keyboard_alone()
    {
        await Page.GotoAsync("/ui/jobs");
        await Page.Keyboard.TypeAsync(Host.Keys.Demo); // the key field has the focus when the page opens
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Jobs", Exact = true })).ToBeVisibleAsync();

        await TabToAsync("a.button-link.primary[href='/ui/new']");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "New export" })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("File name")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Control+A");
        await Page.Keyboard.TypeAsync("keyboard-only");
        await TabToAsync("textarea[data-path='audiences']");
        await Page.Keyboard.TypeAsync("audience1");
        await Page.Keyboard.PressAsync("Enter");
        await Page.Keyboard.TypeAsync("audience2");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync("2021-07-16");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync("2021-08-16");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.PressAsync("Enter"); // Preview trend
        await Expect(Page.Locator("#preview figure")).ToContainTextAsync("audience2");
        await TabToAsync("button[type='submit']");
        await Page.Keyboard.PressAsync("Enter");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("keyboard-only");
        await TabToAsync("#cancel");
        await Page.Keyboard.PressAsync("Enter");
        await Page.Keyboard.PressAsync("Shift+Tab"); // from "Keep it" to the dialog's "Cancel job"
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Cancelled");
    }

    [Test]
    public async Task A_hostile_audience_name_shows_as_text()
    {
        const string Hostile = "<img src=x onerror=window.hacked=1>";
        await SignInAsync();
        await Page.GotoAsync("/ui/new");
        await Page.GetByLabel("Audiences").FillAsync(Hostile);
        await Page.GetByLabel("First day").FillAsync("2021-07-16");
        await Page.GetByLabel("Last day").FillAsync("2021-07-20");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create export" }).ClickAsync();

        await Expect(Page.Locator(".error-summary")).ToContainTextAsync($"Unknown audience \"{Hostile}\".");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Preview trend" }).ClickAsync();
        await Expect(Page.Locator(".error-summary")).ToContainTextAsync($"Unknown audience \"{Hostile}\".");
        Assert.Multiple(async () =>
        {
            Assert.That(await Page.Locator("main img").CountAsync(), Is.Zero, "no element is made of the name");
            Assert.That(await Page.EvaluateAsync<bool>("() => window.hacked === undefined"), Is.True);
        });
    }

    [Test]
    public async Task The_first_load_of_the_jobs_page_transfers_under_100_KB_and_every_file_carries_the_security_headers()
    {
        await CreateJobAsync(UiExample);
        await Page.GotoAsync("/ui/jobs");
        await Page.GetByLabel("API key").FillAsync(Host.Keys.Demo);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.Locator("table.jobs tbody tr")).Not.ToHaveCountAsync(0);

        // A fresh context: nothing cached, signed in through sessionStorage before the first byte.
        await using var context = await Browser.NewContextAsync(BaseAddress);
        await context.AddInitScriptAsync($"sessionStorage.setItem('audiencetrends.apiKey', {System.Text.Json.JsonSerializer.Serialize(Host.Keys.Demo)})");
        var page = await context.NewPageAsync();
        var responses = new List<IResponse>();
        page.Response += (_, r) => responses.Add(r);
        await page.GotoAsync("/ui/jobs", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(page.Locator("table.jobs tbody tr")).Not.ToHaveCountAsync(0);

        long transferred = 0;
        foreach (var response in responses)
        {
            var sizes = await response.Request.SizesAsync();
            transferred += sizes.ResponseHeadersSize + sizes.ResponseBodySize;
        }

        var files = responses.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/ui/", StringComparison.Ordinal)).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(transferred, Is.GreaterThan(10_000).And.LessThan(100 * 1024), string.Join("\n", responses.Select(r => r.Url)));
            Assert.That(files.Select(f => new Uri(f.Url).AbsolutePath), Is.SupersetOf(new[] { "/ui/jobs", "/ui/app.js", "/ui/app.css", "/ui/jobs.js" }));
            foreach (var file in files)
            {
                var headers = await file.AllHeadersAsync();
                Assert.That(headers["content-security-policy"], Does.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"), file.Url);
                Assert.That(headers["referrer-policy"], Is.EqualTo("no-referrer"), file.Url);
                Assert.That(headers["x-content-type-options"], Is.EqualTo("nosniff"), file.Url);
            }
        });
        await page.CloseAsync();
    }

    [Test]
    public async Task An_sftp_key_is_created_its_public_key_copied_and_deleted()
    {
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await SignInAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "SFTP keys" }).ClickAsync();
        await Page.GetByLabel("Key name").FillAsync("ui-key");
        await Page.GetByLabel("Hosts it may log in to").FillAsync("sftp.example.com");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var publicKey = Page.GetByLabel("Public key (give it to the server\u2019s administrator)");
        await Expect(publicKey).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^ssh-ed25519 "));
        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "ui-key" });
        await Expect(row).ToContainTextAsync("sftp.example.com");
        await Page.Locator("#created-key").GetByRole(AriaRole.Button, new() { Name = "Copy public key" }).ClickAsync();
        Assert.That(await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(await publicKey.InputValueAsync()));
        await AssertAccessibleAsync("the SFTP keys page");
        await Browser.ScreenshotAsync(Page, "sftp-keys");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete key ui-key" }).ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete key" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        var keys = await (await Host.Client.GetAsync("v2/sftpkeys")).JsonAsync();
        Assert.That(keys.AsArray().Select(k => k!["name"]!.GetValue<string>()), Does.Not.Contain("ui-key"));
    }

    [Test]
    public async Task A_schedule_is_paused_resumed_and_run_now_from_the_schedules_pages()
    {
        using var created = await Host.Client.PostAsync("v2/schedules", HttpJson.Body(Schedules.ScheduleTestApp.Body(timeZone: "Europe/Paris")));
        var schedule = await created.JsonAsync();
        Assert.That((int)created.StatusCode, Is.EqualTo(201), schedule.ToJsonString());
        var id = schedule["id"]!.GetValue<string>();
        await SignInAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Schedules" }).ClickAsync();

        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Warehouse feed" });
        await Expect(row).ToContainTextAsync("Active");
        await Expect(row).ToContainTextAsync("Europe/Paris");
        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Paused");
        Assert.That(await StateAsync(id), Is.EqualTo("Paused"));
        await row.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Active");
        Assert.That(await StateAsync(id), Is.EqualTo("Active"));
        await AssertAccessibleAsync("the schedules page");
        await Browser.ScreenshotAsync(Page, "schedules");

        await row.GetByRole(AriaRole.Link, new() { Name = "Warehouse feed" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Warehouse feed");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        var runs = Page.Locator("table.jobs tbody tr");
        await Expect(runs).ToHaveCountAsync(1);
        await Expect(runs).ToContainTextAsync("Pending");
        await AssertAccessibleAsync("a schedule's page");
        var listed = await (await Host.Client.GetAsync($"v2/jobs?scheduleId={id}")).JsonAsync();
        Assert.That(listed.AsArray(), Has.Count.EqualTo(1), "the run the page shows is the schedule's one run");

        var now = DateTimeOffset.UtcNow;
        await Page.GetByLabel("From (ISO instant)").FillAsync(Iso(now.AddDays(-3)));
        await Page.GetByLabel("To (ISO instant)").FillAsync(Iso(now.AddDays(1)));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Queue the missed runs" }).ClickAsync();
        await Expect(Page.GetByLabel("To (ISO instant)")).ToHaveAccessibleDescriptionAsync("to must not be in the future: a backfill runs slots whose time has passed.");

        await Page.GetByLabel("To (ISO instant)").FillAsync(Iso(now.AddHours(-1)));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Queue the missed runs" }).ClickAsync();
        var queued = Page.Locator("#backfill-result li");
        await Expect(Page.Locator("#backfill-result")).ToContainTextAsync("run(s) queued.");
        var backfilled = await (await Host.Client.GetAsync($"v2/jobs?scheduleId={id}")).JsonAsync();
        Assert.That(await queued.CountAsync(), Is.EqualTo(backfilled.AsArray().Count - 1).And.GreaterThan(0), "each queued slot links to its job");

        static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> StateAsync(string scheduleId) =>
        (await (await Host.Client.GetAsync($"v2/schedules/{scheduleId}")).JsonAsync())["state"]!.GetValue<string>();

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus (reading the page only to know where the focus is).</summary>
    private async Task TabToAsync(string selector)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await Page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector))
            {
                return;
            }

            await Page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {selector}");
    }
}
