using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Integration;

/// <summary><c>GET /v2/audiencetrends</c>: the same figures an export writes, capped, for the caller's account only.</summary>
public sealed class AudienceTrendsPreviewTests
{
    private static readonly DateOnly D1 = new(2024, 3, 1);

    private InProcessFunctionsHost _app = null!;
    private string _database = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = TestDatabase.Create(["plain", "gaps", "a, \"quoted\" name"],
            [("plain", D1, 10), ("plain", D1.AddDays(1), 11), ("plain", D1.AddDays(2), 12), ("gaps", D1, 5), ("gaps", D1.AddDays(2), 7), ("a, \"quoted\" name", D1, 1)]);
        _app = (await TestApp.StartInProcessAsync(await TestApp.SettingsAsync(_database, seedDemoData: false))).Host;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task Answers_each_audiences_daily_sizes_in_request_order_with_null_for_missing_days()
    {
        var json = await GetAsync(_app.Client, "audiences=gaps&audiences=plain&audiences=a%2C%20%22quoted%22%20name&start=2024-03-01&end=2024-03-03");

        Assert.That(json.ToJsonString(), Is.EqualTo(
            """{"start":"2024-03-01","end":"2024-03-03","days":["2024-03-01","2024-03-02","2024-03-03"],"audiences":[""" +
            """{"name":"gaps","counts":[5,null,7]},{"name":"plain","counts":[10,11,12]},{"name":"a, \u0022quoted\u0022 name","counts":[1,null,null]}]}"""));
    }

    [Test]
    public async Task Another_account_knows_none_of_these_audiences()
    {
        using var response = await _app.OtherClient.GetAsync("v2/audiencetrends?audiences=plain&start=2024-03-01&end=2024-03-01");
        var errors = await ErrorsAsync(response);
        Assert.That(errors, Is.EqualTo(new Dictionary<string, string[]> { ["audiences[0]"] = ["Unknown audience \"plain\"."] }));
    }

    [TestCase("start=2024-03-01&end=2024-03-02", "audiences", "audiences is required: repeat it once per audience, such as audiences=audience1&audiences=audience2.")]
    [TestCase("audiences=plain&end=2024-03-02", "start", "start is required: a date written as yyyy-MM-dd, such as 2021-08-17.")]
    [TestCase("audiences=plain&start=2024-03-01&end=03/02/2024", "end", "end must be a date written as yyyy-MM-dd, such as 2021-08-17.")]
    [TestCase("audiences=plain&start=2024-03-02&end=2024-03-01", "end", "end must not be before start.")]
    [TestCase("audiences=plain&start=2024-01-01&end=2025-01-01", "end", "The days from start to end number 367; at most 366 days (both ends counted) can be previewed at once.")]
    [TestCase("audiences=plain&audiences=plain&start=2024-03-01&end=2024-03-01", "audiences[1]", "audiences[1] duplicates audiences[0]: name each audience once.")]
    [TestCase("audiences=&start=2024-03-01&end=2024-03-01", "audiences[0]", "audiences[0] must not be blank.")]
    [TestCase("audiences=nope&audiences=plain&start=2024-03-01&end=2024-03-01", "audiences[0]", "Unknown audience \"nope\".")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string parameter, string message)
    {
        using var response = await _app.Client.GetAsync($"v2/audiencetrends?{query}");
        var errors = await ErrorsAsync(response);
        Assert.That(errors, Is.EqualTo(new Dictionary<string, string[]> { [parameter] = [message] }));
    }

    [Test]
    public async Task More_than_the_cap_of_audiences_is_refused_and_the_cap_itself_is_answered()
    {
        var many = string.Join('&', Enumerable.Range(0, TrendPreview.MaxAudiences + 1).Select(i => $"audiences=a{i}"));
        using var response = await _app.Client.GetAsync($"v2/audiencetrends?{many}&start=2024-03-01&end=2024-03-01");
        Assert.That(await ErrorsAsync(response), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["audiences"] = ["audiences names 21 audiences; at most 20 can be previewed at once (export them instead)."],
        }));

        var full = await GetAsync(_app.Client, "audiences=plain&start=2024-01-01&end=2024-12-31");
        Assert.That(full["days"]!.AsArray(), Has.Count.EqualTo(TrendPreview.MaxDays));
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"v2/audiencetrends?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!;
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        return JsonNode.Parse(body)!["errors"]!.AsObject()
            .ToDictionary(e => e.Key, e => e.Value!.AsArray().Select(m => m!.GetValue<string>()).ToArray());
    }
}
