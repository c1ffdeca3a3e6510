using System.Net;
using AudienceTrends.Tests.Integration;

namespace AudienceTrends.Tests.Jobs.Cancel;

public static class CancelTestJobs
{
    /// <summary>Creates a managed-storage job from the reference example; returns its id.</summary>
    public static async Task<string> CreateAsync(HttpClient client)
    {
        var created = await client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }
}
