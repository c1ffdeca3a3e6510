using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Requests;

/// <summary>The body's <c>exportType</c>, <c>layout</c> and <c>compression</c>: values, defaults, and the refused combinations.</summary>
public class FileFieldsTests
{
    private static RequestParseResult Parse(Action<JsonObject> change)
    {
        var body = JsonNode.Parse(File.ReadAllBytes(RepositoryPaths.Combine("examples", "ui-download.json")))!.AsObject();
        change(body);
        return new ExportRequestParser(Options.Create(new IntakeOptions()), AppDestinationKinds.Instance)
            .Parse(Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    [TestCase("csv", null, null, "csv", "wide", "audiencetrends.csv")]
    [TestCase(null, null, "gzip", "csv", "wide", "audiencetrends.csv.gz")]
    [TestCase("csv", "long", null, "csv", "long", "audiencetrends.csv")]
    [TestCase("CSV", "LONG", "GZIP", "csv", "long", "audiencetrends.csv.gz")]
    [TestCase("jsonl", null, null, "jsonl", "long", "audiencetrends.jsonl")]
    [TestCase("jsonl", "wide", "gzip", "jsonl", "wide", "audiencetrends.jsonl.gz")]
    [TestCase("JsonL", "Long", "none", "jsonl", "long", "audiencetrends.jsonl")]
    [TestCase("parquet", null, null, "parquet", "long", "audiencetrends.parquet")]
    [TestCase("Parquet", "long", "none", "parquet", "long", "audiencetrends.parquet")]
    public void Format_layout_and_compression_are_read_in_any_case_with_each_formats_default_layout(
        string? exportType, string? layout, string? compression, string expectedType, string expectedLayout, string fileName)
    {
        var result = Parse(body =>
        {
            body["exportType"] = exportType;
            body["layout"] = layout;
            body["compression"] = compression;
        });

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That((result.Request!.ExportType, result.Request.Layout, result.Request.FileName),
            Is.EqualTo((expectedType, expectedLayout, fileName)));
    }

    [TestCase("xlsx", null, null, "exportType", "exportType must be \"csv\", \"jsonl\" or \"parquet\".")]
    [TestCase("json", null, null, "exportType", "exportType must be \"csv\", \"jsonl\" or \"parquet\".")]
    [TestCase("", null, null, "exportType", "exportType must not be empty.")]
    [TestCase("csv", "tall", null, "layout", "layout must be \"wide\" or \"long\".")]
    [TestCase("jsonl", "", null, "layout", "layout must not be empty.")]
    [TestCase("parquet", "wide", null, "layout",
        "layout must be \"long\" for parquet: a column per day would change the table's schema with every timeframe.")]
    [TestCase("parquet", null, "gzip", "compression",
        "compression must be \"none\" for parquet: a Parquet file compresses its own columns, and a gzipped one no reader loads as it is.")]
    [TestCase("PARQUET", "long", "Gzip", "compression",
        "compression must be \"none\" for parquet: a Parquet file compresses its own columns, and a gzipped one no reader loads as it is.")]
    public void A_value_or_combination_the_formats_cannot_write_is_refused_naming_its_field(
        string exportType, string? layout, string? compression, string field, string message)
    {
        var result = Parse(body =>
        {
            body["exportType"] = exportType;
            body["layout"] = layout;
            body["compression"] = compression;
        });

        Assert.That(result.Request, Is.Null);
        Assert.That(result.Errors.ToDictionary(), Is.EqualTo(new Dictionary<string, string[]> { [field] = [message] }));
    }

    [Test]
    public void Parquet_wide_with_gzip_names_both_fields()
    {
        var result = Parse(body =>
        {
            body["exportType"] = "parquet";
            body["layout"] = "wide";
            body["compression"] = "gzip";
        });

        Assert.That(result.Errors.ToDictionary().Keys, Is.EquivalentTo(new[] { "layout", "compression" }));
    }

    [Test]
    public void A_layout_that_is_not_a_string_is_refused_without_a_combination_problem()
    {
        var result = Parse(body =>
        {
            body["exportType"] = "parquet";
            body["layout"] = 2;
            body["compression"] = "gzip";
        });

        Assert.That(result.Errors.ToDictionary(), Is.EqualTo(new Dictionary<string, string[]> { ["layout"] = ["layout must be a string."] }));
    }
}
