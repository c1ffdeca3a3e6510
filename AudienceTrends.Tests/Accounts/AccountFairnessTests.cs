using System.Net;
using System.Runtime.CompilerServices;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// One account's backlog of long exports does not hold another account's export back: with
/// <c>Jobs:MaxRunningPerAccount</c> reached, the worker puts that account's next job back in the queue and takes the
/// next message, another account's job, which runs to Done while the first account's export is still under way.
/// </summary>
public sealed class AccountFairnessTests
{
    [Test]
    public async Task An_account_at_its_running_limit_waits_while_another_accounts_job_starts_and_finishes()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Jobs:MaxRunningPerAccount"] = "1";
        settings["Jobs:AccountBusyRetryDelay"] = "00:10:00"; // the deferred message stays hidden for the whole test
        StallingSource? source = null;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<IAudienceTrendSource>(sp =>
            source = new StallingSource(ActivatorUtilities.CreateInstance<SqlAudienceTrendSource>(sp), TestAccounts.DemoId)));
        await using var _ = host;
        var slow = await CreateAsync(host.Client, "audience1");
        var queued = await CreateAsync(host.Client, "audience2");
        var other = await CreateAsync(host.OtherClient, "globex_customers");

        var first = Task.Run(() => host.ProcessNextMessageAsync());
        await source!.Stalled.WaitAsync(TimeSpan.FromSeconds(30));
        // Bounded: were the second demo job started, it would stall like the first.
        Assert.That(await host.ProcessNextMessageAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the demo account's second job's message");
        Assert.That(await host.ProcessNextMessageAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the other account's job's message");

        Assert.Multiple(async () =>
        {
            Assert.That(await StatusAsync(host.OtherClient, other), Is.EqualTo("Done"), "the other account's job ran meanwhile");
            Assert.That(await StatusAsync(host.Client, slow), Is.EqualTo("Processing"));
            Assert.That(await StatusAsync(host.Client, queued), Is.EqualTo("Pending"), "waits for its account's running export");
            Assert.That(await host.ProcessNextMessageAsync(), Is.False, "its message is back in the queue, hidden until the retry delay");
        });

        source.Release();
        await first;
        Assert.That(await StatusAsync(host.Client, slow), Is.EqualTo("Done"));
    }

    private static async Task<string> CreateAsync(HttpClient client, string audience)
    {
        using var created = await client.PostExportAsync(HttpJson.WithAudiences(HttpJson.Example("ui-download.json"), [audience]));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }

    private static async Task<string> StatusAsync(HttpClient client, string jobId) =>
        (await (await client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["status"]!.GetValue<string>();

    /// <summary>The real source, except that reads for <paramref name="stalled"/> wait until released: a long export.</summary>
    private sealed class StallingSource(IAudienceTrendSource inner, AccountId stalled) : IAudienceTrendSource
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stalled => _stalled.Task;

        public void Release() => _released.TrySetResult();

        public Task<IReadOnlyList<string>> FindUnknownAsync(AccountId account, IReadOnlyList<string> audienceNames, CancellationToken cancellationToken) =>
            inner.FindUnknownAsync(account, audienceNames, cancellationToken);

        public async IAsyncEnumerable<AudienceTrend> ReadTrendsAsync(
            AccountId account, IReadOnlyList<string> audienceNames, DateOnly firstDay, DateOnly lastDay,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (account == stalled)
            {
                _stalled.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            await foreach (var trend in inner.ReadTrendsAsync(account, audienceNames, firstDay, lastDay, cancellationToken))
            {
                yield return trend;
            }
        }
    }
}
