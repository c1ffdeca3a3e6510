using System.Diagnostics;
using OpenTelemetry;

namespace AudienceTrends.Functions.Telemetry;

/// <summary>
/// Drops the query string of every URL a span records before it is exported: HTTP client spans record each outgoing
/// call's full URL (<c>url.full</c>), and a query may be a credential (a webhook receiver's token, a GCS
/// resumable-session id, an Azure Blob SAS signature, an S3 presigned signature); .NET only masks its values. The path
/// stays, so calls can still be told apart. <c>url.query</c> is removed, a span name loses what follows a <c>?</c>, and
/// a value that is not an http(s) URL (a SQL operation, a queue name) is left alone.
/// </summary>
public sealed class UrlQueryRedactor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (data.DisplayName.IndexOfAny(['?', '#']) >= 0)
        {
            data.DisplayName = BeforeQuery(data.DisplayName);
        }

        foreach (var (key, value) in data.TagObjects.ToList())
        {
            if (key == "url.query")
            {
                data.SetTag(key, null);
            }
            else if (value is string text && IsUrl(text) && text.IndexOfAny(['?', '#']) >= 0)
            {
                data.SetTag(key, WithoutQuery(text));
            }
        }
    }

    /// <summary>An absolute http(s) URL without query string or fragment; anything else unchanged.</summary>
    public static string WithoutQuery(string text) => IsUrl(text) ? new Uri(text).GetLeftPart(UriPartial.Path) : text;

    private static bool IsUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    private static string BeforeQuery(string text) => text.IndexOfAny(['?', '#']) is var at and >= 0 ? text[..at] : text;
}
