using System.Text;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Export.Formats;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Export.Formats;

/// <summary>The exact bytes of the long CSV and of JSON Lines in both layouts, and what every writer reports.</summary>
public class TrendFileWritersTests
{
    private static readonly DateOnly Day = new(2024, 2, 28);

    private static readonly AudienceTrend[] Trends =
    [
        new("openers", [5, null, long.MaxValue]),
        new("Ünï, \"q\"", [null, null, -1]),
        new("none", [null, null, null]),
    ];

    private static ITrendFileWriter Writer(string format, string layout) =>
        new TrendFileWriters(new TrendCsvWriter(), Options.Create(new FileFormatsOptions())).For(format, layout);

    private static async Task<(string Text, int Rows, List<int> Progress)> WriteAsync(string format, string layout, AudienceTrend[] trends)
    {
        using var output = new MemoryStream();
        var progress = new List<int>();
        var rows = await Writer(format, layout).WriteAsync(output, Day, Day.AddDays(2), trends.ToAsyncEnumerable(), progress.Add, CancellationToken.None);
        return (Encoding.UTF8.GetString(output.ToArray()), rows, progress);
    }

    [Test]
    public async Task Long_csv_has_a_row_per_audience_and_day_with_a_figure()
    {
        var (text, rows, progress) = await WriteAsync("csv", "long", Trends);

        Assert.That(text, Is.EqualTo(
            "audience,date,contact_count\r\n" +
            "openers,2024-02-28,5\r\n" +
            "openers,2024-03-01,9223372036854775807\r\n" +
            "\"Ünï, \"\"q\"\"\",2024-03-01,-1\r\n"));
        Assert.That((rows, progress), Is.EqualTo((3, new List<int> { 3 })));
    }

    [Test]
    public async Task Long_json_lines_have_an_object_per_audience_and_day_with_a_figure()
    {
        var (text, rows, _) = await WriteAsync("jsonl", "long", Trends);

        Assert.That(text, Is.EqualTo(
            "{\"audience\":\"openers\",\"date\":\"2024-02-28\",\"contact_count\":5}\n" +
            "{\"audience\":\"openers\",\"date\":\"2024-03-01\",\"contact_count\":9223372036854775807}\n" +
            "{\"audience\":\"Ünï, \\\"q\\\"\",\"date\":\"2024-03-01\",\"contact_count\":-1}\n"));
        Assert.That(rows, Is.EqualTo(3));
    }

    [Test]
    public async Task Wide_json_lines_have_an_object_per_audience_with_every_day_and_null_where_no_figure()
    {
        var (text, rows, _) = await WriteAsync("jsonl", "wide", Trends);

        Assert.That(text, Is.EqualTo(
            "{\"audience\":\"openers\",\"contact_counts\":{\"2024-02-28\":5,\"2024-02-29\":null,\"2024-03-01\":9223372036854775807}}\n" +
            "{\"audience\":\"Ünï, \\\"q\\\"\",\"contact_counts\":{\"2024-02-28\":null,\"2024-02-29\":null,\"2024-03-01\":-1}}\n" +
            "{\"audience\":\"none\",\"contact_counts\":{\"2024-02-28\":null,\"2024-02-29\":null,\"2024-03-01\":null}}\n"));
        Assert.That(rows, Is.EqualTo(3));
    }

    [Test]
    public async Task Progress_counts_audiences_every_hundred_and_at_the_end_whatever_the_rows()
    {
        var many = Enumerable.Range(0, 250).Select(i => new AudienceTrend($"a{i}", [i, null, i])).ToArray();

        var (_, rows, progress) = await WriteAsync("parquet", "long", many);

        Assert.That((rows, progress), Is.EqualTo((500, new List<int> { 100, 200, 250 })));
    }

    [TestCase("csv", "long")]
    [TestCase("jsonl", "long")]
    [TestCase("jsonl", "wide")]
    [TestCase("parquet", "long")]
    public async Task A_trend_with_the_wrong_number_of_days_is_refused(string format, string layout)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(format, layout, [new("short", [1, 2])]));

        Assert.That(error!.Message, Does.StartWith("Audience trend has 2 daily counts; the timeframe has 3 days."));
    }

    [Test]
    public void A_stored_job_without_format_or_layout_is_the_wide_csv_and_parquet_wide_is_no_writer()
    {
        var writers = new TrendFileWriters(new TrendCsvWriter(), Options.Create(new FileFormatsOptions()));

        Assert.That(writers.For(null, null), Is.InstanceOf<TrendCsvWriter>());
        Assert.That(writers.For("jsonl", null), Is.SameAs(writers.For("jsonl", "long")));
        var error = Assert.Throws<ExportFailedException>(() => writers.For("parquet", "wide"));
        Assert.That(error!.Code, Is.EqualTo(ErrorCodes.InvalidJob));
    }

    [TestCase("gzip", 100_000, "FileFormats:ParquetCompression must be zstd or snappy.")]
    [TestCase("zstd", 999, "FileFormats:ParquetRowGroupRows must be between 1000 and 1000000.")]
    [TestCase("snappy", 1_000_001, "FileFormats:ParquetRowGroupRows must be between 1000 and 1000000.")]
    public void Settings_out_of_range_are_named(string compression, int rowGroupRows, string problem)
    {
        var problems = FileFormatsOptions.Validate(new FileFormatsOptions { ParquetCompression = compression, ParquetRowGroupRows = rowGroupRows })
            .Select(p => "FileFormats:" + p);

        Assert.That(problems, Is.EqualTo(new[] { problem }));
    }
}
