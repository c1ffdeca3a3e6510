using System.Globalization;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// <c>GET /v2/audiencetrends</c>: the daily sizes of a few audiences over a few days, as JSON, for a chart before an
/// export (the Jobs page's preview) or for an API user. Capped (<see cref="MaxAudiences"/> audiences x
/// <see cref="MaxDays"/> days) so an answer stays small; read through the same account-scoped source an export reads.
/// Problems are keyed by the query parameter (<c>audiences</c>, <c>audiences[i]</c>, <c>start</c>, <c>end</c>); a
/// value is never quoted back except an audience name the account does not know, as the intake names it.
/// </summary>
public sealed class TrendPreview(IAudienceTrendSource source)
{
    public const int MaxAudiences = 20;
    public const int MaxDays = 366;

    private const string AudiencesParameter = "audiences";
    private const string DateFormat = "yyyy-MM-dd";

    /// <summary>The figures, or null with every problem of the query listed (unknown audiences named).</summary>
    public async Task<(TrendPreviewView? View, RequestErrors Errors)> ReadAsync(
        AccountId account, IReadOnlyList<string?> audiences, string? start, string? end, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var names = ReadAudiences(audiences, errors);
        var first = ReadDate("start", start, errors);
        var last = ReadDate("end", end, errors);
        if (first is { } f && last is { } l)
        {
            if (f > l)
            {
                errors.Add("end", "end must not be before start.");
            }
            else if (l.DayNumber - f.DayNumber + 1 > MaxDays)
            {
                errors.Add("end", string.Create(CultureInfo.InvariantCulture,
                    $"The days from start to end number {l.DayNumber - f.DayNumber + 1}; at most {MaxDays} days (both ends counted) can be previewed at once."));
            }
        }

        if (errors.HasErrors || names is null)
        {
            return (null, errors);
        }

        var unknown = (await source.FindUnknownAsync(account, names, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (unknown.Contains(names[i]))
            {
                errors.Add($"{AudiencesParameter}[{i}]", $"Unknown audience \"{names[i]}\".");
            }
        }

        if (errors.HasErrors)
        {
            return (null, errors);
        }

        var series = new List<TrendPreviewSeries>(names.Count);
        await foreach (var trend in source.ReadTrendsAsync(account, names, first!.Value, last!.Value, cancellationToken))
        {
            series.Add(new TrendPreviewSeries(trend.Audience, trend.DailyCounts));
        }

        var days = Enumerable.Range(0, last.Value.DayNumber - first.Value.DayNumber + 1)
            .Select(d => first.Value.AddDays(d).ToString(DateFormat, CultureInfo.InvariantCulture))
            .ToArray();
        return (new TrendPreviewView(days[0], days[^1], days, series), errors);
    }

    private static List<string>? ReadAudiences(IReadOnlyList<string?> values, RequestErrors errors)
    {
        if (values.Count == 0)
        {
            errors.Add(AudiencesParameter,
                "audiences is required: repeat it once per audience, such as audiences=audience1&audiences=audience2.");
            return null;
        }

        if (values.Count > MaxAudiences)
        {
            errors.Add(AudiencesParameter, string.Create(CultureInfo.InvariantCulture,
                $"audiences names {values.Count} audiences; at most {MaxAudiences} can be previewed at once (export them instead)."));
            return null;
        }

        var names = new List<string>(values.Count);
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{AudiencesParameter}[{i}]");
            var name = values[i] ?? "";
            var problem = FieldRules.Audience(name)
                ?? (firstIndexOf.TryAdd(name, i) ? null : string.Create(CultureInfo.InvariantCulture, $"duplicates {AudiencesParameter}[{firstIndexOf[name]}]: name each audience once."));
            if (problem is null)
            {
                names.Add(name);
            }
            else
            {
                errors.Add(path, $"{path} {problem}");
            }
        }

        return names.Count == values.Count ? names : null;
    }

    private static DateOnly? ReadDate(string parameter, string? value, RequestErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(parameter, $"{parameter} is required: a date written as yyyy-MM-dd, such as 2021-08-17.");
            return null;
        }

        if (DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add(parameter, $"{parameter} must be a date written as yyyy-MM-dd, such as 2021-08-17.");
        return null;
    }
}

/// <summary>The answer: the days, then one series per audience in request order (<c>counts[i]</c> is day <c>i</c>, null without a figure).</summary>
public sealed record TrendPreviewView(string Start, string End, IReadOnlyList<string> Days, IReadOnlyList<TrendPreviewSeries> Audiences);

public sealed record TrendPreviewSeries(string Name, long?[] Counts);
