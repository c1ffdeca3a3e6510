using System.Text;
using AudienceTrends.Core.Export;

namespace AudienceTrends.Tests.Export;

public class TrendCsvWriterTests
{
    private static readonly DateOnly Day = new(2021, 12, 31);

    [Test]
    public async Task Output_is_utf8_without_bom_with_crlf_line_endings()
    {
        using var output = new MemoryStream();

        var rows = await new TrendCsvWriter().WriteAsync(
            output, Day, Day.AddDays(1), Trends(new AudienceTrend("café lovers ☕", [12, null])), null, CancellationToken.None);

        var expected = "audience,2021-12-31,2022-01-01\r\ncafé lovers ☕,12,\r\n"u8.ToArray();
        Assert.That(rows, Is.EqualTo(1));
        Assert.That(output.ToArray(), Is.EqualTo(expected));
        Assert.That(output.ToArray()[..3], Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }));
    }

    [Test]
    public async Task The_stream_stays_open_and_an_empty_export_is_the_header_alone()
    {
        using var output = new MemoryStream();

        var rows = await new TrendCsvWriter().WriteAsync(output, Day, Day, Trends(), null, CancellationToken.None);
        output.Write("tail"u8);

        Assert.That(rows, Is.Zero);
        Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("audience,2021-12-31\r\ntail"));
    }

    [Test]
    public async Task Progress_is_reported_every_hundred_rows_and_at_the_end()
    {
        var reported = new List<int>();
        var trends = Enumerable.Range(0, 250).Select(i => new AudienceTrend($"a{i}", [i])).ToArray();

        var rows = await new TrendCsvWriter().WriteAsync(
            Stream.Null, Day, Day, Trends(trends), reported.Add, CancellationToken.None);

        Assert.That(rows, Is.EqualTo(250));
        Assert.That(reported, Is.EqualTo(new[] { 100, 200, 250 }));
    }

    [Test]
    public async Task Rows_reach_the_stream_before_the_last_trend_is_read()
    {
        using var output = new MemoryStream();
        long writtenBeforeLastRow = -1;
        var counts = Enumerable.Range(0, 366).Select(i => (long?)(1_000_000 + i)).ToArray();

        async IAsyncEnumerable<AudienceTrend> Many()
        {
            for (var i = 0; i < 2000; i++)
            {
                await Task.Yield();
                if (i == 1999)
                {
                    writtenBeforeLastRow = output.Length;
                }

                yield return new AudienceTrend($"audience{i}", counts);
            }
        }

        await new TrendCsvWriter().WriteAsync(output, Day, Day.AddDays(365), Many(), null, CancellationToken.None);

        // About 5.8 MB in all: most of it must have been handed to the stream while rows were still coming.
        Assert.That(writtenBeforeLastRow, Is.GreaterThan(output.Length / 2));
    }

    [Test]
    public async Task A_trend_with_the_wrong_number_of_days_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new TrendCsvWriter().WriteAsync(
            Stream.Null, Day, Day.AddDays(2), Trends(new AudienceTrend("a", [1, 2])), null, CancellationToken.None));

        Assert.That(error!.Message, Does.StartWith("Audience trend has 2 daily counts; the timeframe has 3 days."));
    }

    private static async IAsyncEnumerable<AudienceTrend> Trends(
        params AudienceTrend[] trends)
    {
        foreach (var trend in trends)
        {
            await Task.Yield();
            yield return trend;
        }
    }
}
