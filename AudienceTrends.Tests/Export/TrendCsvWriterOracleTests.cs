using AudienceTrends.Core.Export;
using CsvHelper;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// The writer formats straight into UTF-8 bytes; CsvHelper, configured as the writer was before (RFC 4180, formula
/// escaping, CRLF, no BOM), is the oracle: both must produce the same bytes for awkward names and counts.
/// </summary>
public class TrendCsvWriterOracleTests
{
    private static readonly DateOnly Day = new(2024, 2, 28);

    private static readonly CsvWriterOptions OracleOptions = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        NewLine = "\r\n",
        WriteByteOrderMark = false,
    };

    private static readonly string[] AwkwardNames =
    [
        "plain", "", " ", " padded ", "\tindented", "trailing\t", "=SUM(A1)", "+1+1", "-2+3", "@at", "\rreturn", "\nnewline",
        "line\nbreak", "cr\rinside", "comma, inside", "quote \" inside", "\"quoted\"", "\"", "\"\"", "'already", "'=x",
        "=HYPERLINK(\"http://evil.example\",\"x\")", "café lovers ☕", "ÄÖÜ 日本", "emoji 😀", "lone \ud800 surrogate",
        "\udc00 low first", "=\"", "-", "+", "=", "@", "semi;colon", "tab\tinside", "x,", ",x", "a\r\nb", "1e5", "0042",
        new string('n', 5000), new string('"', 300), "=" + new string('é', 2000),
    ];

    [Test]
    public async Task Names_are_written_byte_for_byte_as_csvhelper_escapes_and_quotes_them()
    {
        var trends = AwkwardNames.Select(name => new AudienceTrend(name, [1])).ToArray();

        Assert.That(await WriteAsync(trends, Day, Day), Is.EqualTo(Oracle(trends, Day, Day)));
    }

    [Test]
    public async Task Edge_counts_missing_days_and_a_leap_day_header_match_csvhelper()
    {
        long?[] counts =
        [
            0, -1, 1, null, long.MaxValue, long.MinValue, 9, 10, 99, 100, 999_999_999, 1_000_000_000, -1_000_000_000_000,
            null, null, int.MaxValue + 1L, int.MinValue - 1L, 123_456_789_012_345_678,
        ];
        var last = Day.AddDays(counts.Length - 1);
        var trends = new[]
        {
            new AudienceTrend("edges", counts),
            new AudienceTrend("nothing measured", new long?[counts.Length]),
            new AudienceTrend("=formula with gaps", counts.Reverse().ToArray()),
        };

        var written = await WriteAsync(trends, Day, last);

        Assert.That(written, Is.EqualTo(Oracle(trends, Day, last)));
        Assert.That(System.Text.Encoding.UTF8.GetString(written), Does.StartWith("audience,2024-02-28,2024-02-29,2024-03-01,"));
    }

    [Test]
    public async Task Many_long_rows_cross_buffer_boundaries_without_changing_a_byte()
    {
        // Ten years of days: one row (about 60 KB) is near the 64 KiB buffer, so rows land across flushes.
        var last = Day.AddDays(3652);
        var random = new Random(14);
        var trends = Enumerable.Range(0, 40).Select(i => new AudienceTrend(
            i % 5 == 0 ? $"\"name\" {i}, quoted" : $"audience {i}",
            Enumerable.Range(0, 3653).Select(_ => random.Next(10) == 0 ? (long?)null : random.NextInt64(-5, long.MaxValue)).ToArray()))
            .ToArray();

        Assert.That(await WriteAsync(trends, Day, last), Is.EqualTo(Oracle(trends, Day, last)));
    }

    private static async Task<byte[]> WriteAsync(AudienceTrend[] trends, DateOnly first, DateOnly last)
    {
        using var output = new MemoryStream();
        var rows = await new TrendCsvWriter().WriteAsync(output, first, last, trends.ToAsyncEnumerable(), null, CancellationToken.None);
        Assert.That(rows, Is.EqualTo(trends.Length));
        return output.ToArray();
    }

    /// <summary>The writer as it was: CsvHelper's per-field calls.</summary>
    private static byte[] Oracle(AudienceTrend[] trends, DateOnly first, DateOnly last)
    {
        using var output = new MemoryStream();
        using (var csv = CsvWriter.Create(output, OracleOptions, leaveOpen: true))
        {
            csv.WriteField("audience");
            for (var day = first; day <= last; day = day.AddDays(1))
            {
                csv.WriteField(day, "yyyy-MM-dd");
            }

            csv.EndRecord();
            foreach (var trend in trends)
            {
                csv.WriteField(trend.Audience);
                foreach (var count in trend.DailyCounts)
                {
                    csv.WriteField(count, default);
                }

                csv.EndRecord();
            }
        }

        return output.ToArray();
    }
}
