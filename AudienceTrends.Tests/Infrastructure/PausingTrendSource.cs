using System.Runtime.CompilerServices;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Passes the real source's trends through but waits after <paramref name="pauseAfter"/> audiences until
/// <see cref="Resume"/> or until the export's token is cancelled, so a test can cancel a job while its upload is surely
/// under way.
/// </summary>
internal sealed class PausingTrendSource(IAudienceTrendSource inner, int pauseAfter) : IAudienceTrendSource
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the pause point has been reached: everything before it has been handed to the writer.</summary>
    public Task Paused => _paused.Task;

    public void Resume() => _resumed.TrySetResult();

    public Task<IReadOnlyList<string>> FindUnknownAsync(AccountId account, IReadOnlyList<string> audienceNames, CancellationToken cancellationToken) =>
        inner.FindUnknownAsync(account, audienceNames, cancellationToken);

    public async IAsyncEnumerable<AudienceTrend> ReadTrendsAsync(
        AccountId account, IReadOnlyList<string> audienceNames, DateOnly firstDay, DateOnly lastDay,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var trend in inner.ReadTrendsAsync(account, audienceNames, firstDay, lastDay, cancellationToken))
        {
            if (count++ == pauseAfter)
            {
                _paused.TrySetResult();
                await _resumed.Task.WaitAsync(cancellationToken);
            }

            yield return trend;
        }
    }
}
