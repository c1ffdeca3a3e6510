using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AudienceTrends.Tests.Integration;

public static class HttpJson
{
    public static HttpContent Body(string json, string contentType = "application/json") =>
        new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));

    public static string Example(string fileName) =>
        File.ReadAllText(Infrastructure.RepositoryPaths.Combine("examples", fileName));

    public static async Task<HttpResponseMessage> PostExportAsync(this HttpClient client, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/audiencetrendsexport") { Content = Body(json) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>Reads the job until it is Done, Failed or Cancelled, letting queued work run in between.</summary>
    public static async Task<JsonNode> WaitForFinalJobAsync(
        this Infrastructure.IFunctionsTestHost host, string jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            await host.DrainQueuesAsync();
            var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
            var status = job["status"]!.GetValue<string>();
            if (status is "Done" or "Failed" or "Cancelled")
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {jobId} is still {status}: {job.ToJsonString()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Swaps the audiences and timeframe of a request body, keeping everything else as it is.</summary>
    public static string WithAudiences(string json, IEnumerable<string> audiences, string? start = null, string? end = null)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        if (start is not null)
        {
            body["selected_timeframe_start"] = start;
        }

        if (end is not null)
        {
            body["selected_timeframe_end"] = end;
        }

        return body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
