using System.Globalization;

namespace AudienceTrends.Benchmark;

/// <summary>N audiences × D days, written <c>NxD</c>.</summary>
public readonly record struct BenchmarkSize(int Audiences, int Days)
{
    public static readonly IReadOnlyList<BenchmarkSize> Standard = [new(100, 365), new(1_000, 366), new(10_000, 730)];

    /// <summary>Every size's data starts here; a request covers exactly the seeded days.</summary>
    public static readonly DateOnly FirstDay = new(2024, 1, 1);

    public long Cells => (long)Audiences * Days;

    public DateOnly LastDay => FirstDay.AddDays(Days - 1);

    public static BenchmarkSize Parse(string text)
    {
        var parts = text.Split('x');
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var audiences) && audiences > 0 &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0)
        {
            return new BenchmarkSize(audiences, days);
        }

        throw new FormatException($"'{text}' is not a size: write <audiences>x<days>, e.g. 10000x730.");
    }

    public static string AudienceName(int index) => string.Create(CultureInfo.InvariantCulture, $"audience_{index:D6}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Audiences}x{Days}");
}
