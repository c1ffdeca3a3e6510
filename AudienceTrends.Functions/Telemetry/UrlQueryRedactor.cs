using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;

namespace AudienceTrends.Functions.Telemetry;

/// <summary>
/// Drops the query string of every URL an Application Insights item records before it is sent: dependency tracking
/// records each outgoing HTTP call's full URL, and a query may be a credential (a webhook receiver's token, a GCS
/// resumable-session id, an Azure Blob SAS signature, an S3 presigned signature). The path stays, so calls can
/// still be told apart. Data that is not an http(s) URL (a SQL dependency's command text) is left alone.
/// </summary>
public sealed class UrlQueryRedactor(ITelemetryProcessor next) : ITelemetryProcessor
{
    public void Process(ITelemetry item)
    {
        switch (item)
        {
            case DependencyTelemetry dependency when IsUrl(dependency.Data):
                dependency.Data = WithoutQuery(dependency.Data);
                dependency.Name = BeforeQuery(dependency.Name);
                dependency.Target = BeforeQuery(dependency.Target);
                break;
            case RequestTelemetry request when request.Url is { IsAbsoluteUri: true } url && url.Query.Length > 0:
                request.Url = new Uri(url.GetLeftPart(UriPartial.Path));
                request.Name = BeforeQuery(request.Name);
                break;
        }

        next.Process(item);
    }

    /// <summary>An absolute http(s) URL without query string or fragment; anything else unchanged.</summary>
    public static string WithoutQuery(string text) => IsUrl(text) ? new Uri(text).GetLeftPart(UriPartial.Path) : text;

    private static bool IsUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    private static string BeforeQuery(string? text) =>
        text is null ? "" : text.IndexOfAny(['?', '#']) is var at and >= 0 ? text[..at] : text;
}
