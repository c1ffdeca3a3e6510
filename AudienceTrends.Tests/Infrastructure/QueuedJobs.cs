using System.Text.Json.Nodes;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>Work queue messages as the jobs they name: <c>account/jobId</c>, whatever trace context they carry.</summary>
public static class QueuedJobs
{
    private static readonly string[] Fields = ["account", "jobId", "traceparent"];

    /// <summary>
    /// <c>account/jobId</c> of each message, after checking that it holds nothing but the account, the job id and
    /// (when the sender was in a span) a W3C <c>traceparent</c>.
    /// </summary>
    public static List<string> Of(IEnumerable<string> messageTexts) => messageTexts.Select(text =>
    {
        var message = JsonNode.Parse(text)!.AsObject();
        Assert.That(message.Select(p => p.Key), Is.SubsetOf(Fields), text);
        if (message["traceparent"] is { } traceParent)
        {
            Assert.That(traceParent.GetValue<string>(), Does.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"), text);
        }

        return $"{message["account"]!.GetValue<string>()}/{message["jobId"]!.GetValue<string>()}";
    }).ToList();
}
