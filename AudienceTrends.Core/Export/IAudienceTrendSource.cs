using AudienceTrends.Core.Accounts;
namespace AudienceTrends.Core.Export;

/// <summary>Reads the SQL contract: known audience names and each audience's daily size.</summary>
public interface IAudienceTrendSource
{
    /// <summary>The names in <paramref name="audienceNames"/> that the database does not know for <paramref name="account"/>, in request order.</summary>
    Task<IReadOnlyList<string>> FindUnknownAsync(AccountId account, IReadOnlyList<string> audienceNames, CancellationToken cancellationToken);

    /// <summary>
    /// One <see cref="AudienceTrend"/> per requested audience, in request order, streamed: at most a bounded chunk
    /// of audiences is held in memory at a time, whatever the request's size.
    /// </summary>
    IAsyncEnumerable<AudienceTrend> ReadTrendsAsync(
        AccountId account, IReadOnlyList<string> audienceNames, DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken);
}

/// <param name="Audience">The audience name as requested.</param>
/// <param name="DailyCounts">Index <c>i</c> is the contact count on <c>firstDay + i</c>; null where there is no figure.</param>
public sealed record AudienceTrend(string Audience, long?[] DailyCounts);
