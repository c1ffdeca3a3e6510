namespace AudienceTrends.Core.Export.Formats;

/// <summary>
/// A timeframe's days, each formatted once as <c>yyyy-MM-dd</c> in UTF-8 (10 bytes): a long file repeats every date
/// once per audience, so formatting each only once keeps the writers at the CSV's pace. Also what every writer
/// checks of a trend and how it reports progress.
/// </summary>
internal sealed class TrendDays
{
    public const int DateBytes = 10;

    /// <summary>How often, in audiences, the writers report progress.</summary>
    public const int ProgressInterval = 100;

    private readonly byte[] _dates;

    public TrendDays(DateOnly firstDay, DateOnly lastDay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastDay, firstDay);
        FirstDay = firstDay;
        Count = lastDay.DayNumber - firstDay.DayNumber + 1;
        _dates = new byte[Count * DateBytes];
        for (var day = 0; day < Count; day++)
        {
            firstDay.AddDays(day).TryFormat(_dates.AsSpan(day * DateBytes, DateBytes), out _, "yyyy-MM-dd", null);
        }
    }

    public DateOnly FirstDay { get; }

    public int Count { get; }

    /// <summary>Day <paramref name="index"/> (0 is the first) as UTF-8 <c>yyyy-MM-dd</c>.</summary>
    public ReadOnlySpan<byte> Date(int index) => _dates.AsSpan(index * DateBytes, DateBytes);

    /// <summary>Throws unless <paramref name="trend"/> has a figure slot for every day.</summary>
    public void Check(AudienceTrend trend)
    {
        if (trend.DailyCounts.Length != Count)
        {
            throw new ArgumentException(
                $"Audience trend has {trend.DailyCounts.Length} daily counts; the timeframe has {Count} days.", "trends");
        }
    }

    /// <summary>Calls <paramref name="report"/> every <see cref="ProgressInterval"/> audiences; <see cref="Reporter.Finish"/> at the end.</summary>
    public static Reporter Progress(Action<int>? report) => new(report);

    internal sealed class Reporter(Action<int>? report)
    {
        private int _audiences;
        private int _reported;

        public void Audience()
        {
            _audiences++;
            if (_audiences - _reported >= ProgressInterval)
            {
                _reported = _audiences;
                report?.Invoke(_audiences);
            }
        }

        public void Finish()
        {
            if (_audiences != _reported)
            {
                report?.Invoke(_audiences);
            }
        }
    }
}
