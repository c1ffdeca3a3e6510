using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AudienceTrends.Tests.Ui;

/// <summary>What a user of the Jobs page does, end to end in a real browser: create, follow, download, fail, isolate.</summary>
public sealed class JobsPageTests : JobsPageFixture
{
    [Test]
    public async Task The_reference_ui_example_sent_through_the_form_reaches_Done_and_downloads_the_expected_csv()
    {
        await SignInAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New export" }).First.ClickAsync();
        await Page.GetByLabel("File name").FillAsync("audiencetrends");
        await Page.GetByLabel("Audiences").FillAsync("audience1\naudience2");
        await Page.GetByLabel("First day").FillAsync("2021-07-16");
        await Page.GetByLabel("Last day").FillAsync("2021-08-16");
        await Expect(Page.GetByRole(AriaRole.Combobox, new() { Name = "Destination" })).ToHaveValueAsync("aws");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Preview trend" }).ClickAsync();
        await Expect(Page.Locator("#preview svg.chart path")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#preview .legend")).ToContainTextAsync("audience1");
        await AssertAccessibleAsync("the new-export form");
        await Browser.ScreenshotAsync(Page, "new-export-form");

        var request = await Page.RunAndWaitForRequestAsync(
            () => Page.GetByRole(AriaRole.Button, new() { Name = "Create export" }).ClickAsync(),
            r => r.Url.EndsWith("/v2/audiencetrendsexport", StringComparison.Ordinal));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(request.PostData!), JsonNode.Parse(UiExample)), Is.True,
            $"the form sends the reference page's UI example: {request.PostData}");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Done", new() { Timeout = 90_000 });
        var jobId = Page.Url.Split('/')[^1];
        var job = await (await Host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        await Expect(Page.Locator("#sha256")).ToHaveTextAsync(job["result"]!["sha256"]!.GetValue<string>());
        await Expect(Page.Locator("main")).Not.ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\b(null|undefined|NaN)\b|\[object"));
        await AssertAccessibleAsync("a job's page");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        var file = Path.Combine(Infrastructure.TempFolders.Create("ui-download-"), download.SuggestedFilename);
        await download.SaveAsAsync(file);

        var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(Settings), ["audience1", "audience2"], new(2021, 7, 16), new(2021, 8, 16));
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(file), Is.EqualTo(expected));
            Assert.That(download.SuggestedFilename, Is.EqualTo("audiencetrends.csv"));
            Assert.That(PageErrors, Is.Empty);
        });
        await Browser.ScreenshotAsync(Page, "job-page");

        await Page.GetByRole(AriaRole.Link, new() { Name = "← All jobs" }).ClickAsync();
        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "audiencetrends" }).First;
        await Expect(row).ToContainTextAsync("Done");
        await Expect(row).ToContainTextAsync("2 of 2 audiences");
        await Expect(row).ToContainTextAsync("Download (from this page)");
        await Expect(row).ToContainTextAsync("CSV");
        await AssertAccessibleAsync("the jobs list");
        await Browser.ScreenshotAsync(Page, "jobs-list");
    }

    [Test]
    public async Task The_list_is_newest_first_its_filters_live_in_the_url_and_it_pages()
    {
        var first = await CreateJobAsync(HttpJson.WithAudiences(UiExample, ["audience1"]).Replace("\"audiencetrends\"", "\"list-first\""));
        await Host.WaitForFinalJobAsync(first);
        var second = await CreateJobAsync(HttpJson.WithAudiences(UiExample, ["audience2"]).Replace("\"audiencetrends\"", "\"list-second\""));
        await Host.WaitForFinalJobAsync(second);
        await SignInAsync();

        // Tests of a fixture run one after another: the job created last is the account's newest.
        await Page.GotoAsync("/ui/jobs?limit=1");
        await Expect(Page.Locator("table.jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(Page.Locator("table.jobs tbody tr")).ToContainTextAsync("list-second");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(Page.Locator("table.jobs tbody tr")).ToContainTextAsync("list-first");
        Assert.That(Page.Url, Does.Contain("after="));

        await Page.GotoAsync("/ui/jobs");
        await Page.GetByLabel("Status").SelectOptionAsync("Cancelled");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(Page.GetByText("No jobs match.")).ToBeVisibleAsync();
        Assert.That(new Uri(Page.Url).Query, Is.EqualTo("?status=Cancelled"), "the view can be bookmarked");

        await Page.GotoAsync("/ui/jobs?status=Done&name=second");
        await Expect(Page.GetByLabel("Status")).ToHaveValueAsync("Done");
        await Expect(Page.Locator("table.jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(Page.Locator("table.jobs tbody tr")).ToContainTextAsync("list-second");
        await Expect(Page.GetByText("Updated")).ToContainTextAsync("s ago");
    }

    [Test]
    public async Task A_field_the_server_refuses_shows_the_servers_message_next_to_it()
    {
        await SignInAsync();
        await Page.GotoAsync("/ui/new");
        await Page.GetByLabel("Audiences").FillAsync("audience1\nno_such_audience");
        await Page.GetByLabel("First day").FillAsync("2021-07-16");
        await Page.GetByLabel("Last day").FillAsync("2021-08-16");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create export" }).ClickAsync();

        var audiences = Page.GetByLabel("Audiences");
        await Expect(audiences).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(audiences).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("Unknown audience \"no_such_audience\"\\."));
        await Expect(audiences).ToBeFocusedAsync();
        await AssertAccessibleAsync("the form showing an error");
    }

    [Test]
    public async Task A_field_the_client_refuses_shows_the_servers_words_before_anything_is_sent()
    {
        await SignInAsync();
        await Page.GotoAsync("/ui/new");
        var sent = 0;
        Page.Request += (_, r) => sent += r.Url.Contains("/v2/audiencetrendsexport", StringComparison.Ordinal) ? 1 : 0;
        await Page.GetByLabel("File name").FillAsync("my file");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create export" }).ClickAsync();

        await Expect(Page.GetByLabel("File name")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex(
            "name may only contain letters \\(A-Z, a-z\\), digits and dashes: it becomes the file name\\."));
        await Expect(Page.GetByLabel("First day")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("selected_timeframe_start is required\\."));
        Assert.That(sent, Is.Zero);
    }

    [Test]
    public async Task Testing_a_destination_shows_each_step_and_the_one_that_failed()
    {
        var destination = await RefusedBlobDestinationAsync();
        await SignInAsync();
        await Page.GotoAsync("/ui/new");
        await Page.GetByRole(AriaRole.Combobox, new() { Name = "Destination" }).SelectOptionAsync("azureblob");
        await Page.GetByLabel("Container URL").FillAsync(destination["container_url"]!.GetValue<string>());
        await Page.GetByLabel("Container SAS token").FillAsync(destination["sas_token"]!.GetValue<string>());
        await Page.GetByRole(AriaRole.Button, new() { Name = "Test destination" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "The destination test failed" })).ToBeVisibleAsync();
        var failed = Page.Locator("#test-result li.failed");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed).ToContainTextAsync(": failed (");
        await Expect(failed).ToContainTextAsync("refused the SAS token");
    }

    [Test]
    public async Task A_failed_job_shows_its_reason_in_plain_words()
    {
        var body = JsonNode.Parse(UiExample)!.AsObject();
        body["destination"] = await RefusedBlobDestinationAsync();
        var jobId = await CreateJobAsync(body.ToJsonString());
        var job = await Host.WaitForFinalJobAsync(jobId);
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"), job.ToJsonString());

        await SignInAsync();
        await Page.GotoAsync($"/ui/jobs/{jobId}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Failed");
        await Expect(Page.Locator("#failure-reason")).ToHaveTextAsync(job["error"]!["message"]!.GetValue<string>());
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Download" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" })).ToHaveCountAsync(0);
        await AssertAccessibleAsync("a failed job's page");
    }

    [Test]
    public async Task Another_accounts_key_sees_none_of_the_first_accounts_jobs()
    {
        var jobId = await CreateJobAsync(UiExample.Replace("\"audiencetrends\"", "\"demo-only\""));
        await SignInAsync(Host.Keys.Other);

        await Expect(Page.GetByText("No jobs match.")).ToBeVisibleAsync();
        await Expect(Page.GetByText("demo-only")).ToHaveCountAsync(0);
        await Page.GotoAsync($"/ui/jobs/{jobId}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Job not found" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Signing_out_forgets_the_key_and_a_wrong_key_is_refused()
    {
        await Page.GotoAsync("/ui/jobs");
        await Page.GetByLabel("API key").FillAsync(Host.Keys.Demo + "x");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByText("That key was not accepted")).ToBeVisibleAsync();
        await AssertAccessibleAsync("the sign-in page showing an error");

        await SignInAsync();
        Assert.That(await Page.EvaluateAsync<string>("() => sessionStorage.getItem('audiencetrends.apiKey')"), Is.EqualTo(Host.Keys.Demo));
        Assert.That(await Page.EvaluateAsync<string>("() => document.cookie"), Is.Empty);
        Assert.That(Page.Url, Does.Not.Contain(Host.Keys.Demo));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page.GetByLabel("API key")).ToBeVisibleAsync();
        Assert.That(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('audiencetrends.apiKey')"), Is.Null);
    }
}
