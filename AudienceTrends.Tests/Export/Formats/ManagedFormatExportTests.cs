using System.Text.Json.Nodes;

namespace AudienceTrends.Tests.Export.Formats;

/// <summary>Each file format and layout on the managed download, read back by DuckDB.</summary>
public class ManagedFormatExportTests
{
    private static readonly FileVariant[] Variants =
    [
        new("parquet", null, Gzip: false),
        new("jsonl", null, Gzip: false),
        new("jsonl", "long", Gzip: true),
        new("jsonl", "wide", Gzip: false),
        new("jsonl", "wide", Gzip: true),
        new("csv", "long", Gzip: false),
        new("csv", "long", Gzip: true),
    ];

    [Test]
    public async Task Every_format_and_layout_downloads_as_a_file_DuckDB_reads_as_the_source_rows()
    {
        var database = FormatExport.CreateDatabase();
        var jobs = await FormatExport.RunAsync(await FormatExport.SettingsAsync(database), "ui-download.json", null, Variants);

        foreach (var (variant, job) in jobs)
        {
            var (path, contentType) = await DownloadAsync(job);
            Assert.That(contentType, Is.EqualTo(ContentTypeOf(variant)), variant.Name);
            Assert.That((job["exportType"]!.GetValue<string>(), job["layout"]!.GetValue<string>()),
                Is.EqualTo((variant.ExportType, variant.Layout ?? "long")), variant.Name);
            FormatExport.AssertStored(variant, job, path, database);
        }

        var parquet = jobs.Single(j => j.Variant.ExportType == "parquet");
        var (codecs, rowGroups) = DuckDbFile.ParquetLayout((await DownloadAsync(parquet.Job)).Path);
        Assert.That(codecs, Is.EqualTo(new[] { "ZSTD" }));
        Assert.That(rowGroups, Is.EqualTo(2), "about 1,250 rows in row groups of 1,000");
    }

    [Test]
    public async Task Parquet_columns_are_compressed_with_snappy_when_the_setting_says_so()
    {
        var database = FormatExport.CreateDatabase();
        var settings = await FormatExport.SettingsAsync(database);
        settings["FileFormats:ParquetCompression"] = "snappy";
        var variant = new FileVariant("parquet", "long", Gzip: false);

        var (_, job) = (await FormatExport.RunAsync(settings, "ui-download.json", null, [variant])).Single();

        var (path, _) = await DownloadAsync(job);
        FormatExport.AssertStored(variant, job, path, database);
        Assert.That(DuckDbFile.ParquetLayout(path).Codecs, Is.EqualTo(new[] { "SNAPPY" }));
    }

    [Test]
    public async Task An_export_without_figures_in_the_window_is_a_valid_file_with_the_schema()
    {
        var database = FormatExport.CreateDatabase();
        FileVariant[] variants = [new("parquet", null, false), new("jsonl", null, false), new("jsonl", "wide", true), new("csv", "long", true)];

        var jobs = await FormatExport.RunAsync(
            await FormatExport.SettingsAsync(database), "ui-download.json", null, variants, FormatExport.EmptyAudiences);

        foreach (var (variant, job) in jobs)
        {
            var (path, _) = await DownloadAsync(job);
            FormatExport.AssertStored(variant, job, path, database, FormatExport.EmptyAudiences);
        }

        var files = new Dictionary<string, string>();
        foreach (var (variant, job) in jobs)
        {
            files[variant.Name] = (await DownloadAsync(job)).Path;
        }

        Assert.Multiple(() =>
        {
            Assert.That(DuckDbFile.Columns(files["trends-parquet-default"]),
                Is.EqualTo(new[] { "audience VARCHAR", "date DATE", "contact_count BIGINT" }));
            Assert.That(File.ReadAllBytes(files["trends-jsonl-default"]), Is.Empty, "no line: no figure");
            Assert.That(Decompress(files["trends-csv-long-gz"]), Is.EqualTo("audience,date,contact_count\r\n"));
            Assert.That(jobs.Select(j => j.Job["result"]!["rows"]!.GetValue<long>()), Is.EqualTo(new long[] { 0, 0, 1, 0 }));
        });
    }

    private static string ContentTypeOf(FileVariant variant) => variant.Gzip ? "application/gzip" : variant.ExportType switch
    {
        "parquet" => "application/vnd.apache.parquet",
        "jsonl" => "application/jsonl",
        _ => "text/csv",
    };

    /// <summary>The file behind the job's download link, saved under the name the link serves it as, and its media type.</summary>
    private static async Task<(string Path, string? ContentType)> DownloadAsync(JsonNode job)
    {
        using var http = new HttpClient();
        using var download = await http.GetAsync(job["result"]!["downloadUrl"]!.GetValue<string>());
        Assert.That(download.IsSuccessStatusCode, Is.True, download.ReasonPhrase);
        var name = download.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "";
        return (FormatExport.SaveAs(await download.Content.ReadAsByteArrayAsync(), name), download.Content.Headers.ContentType?.MediaType);
    }

    private static string Decompress(string path)
    {
        using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }
}
