namespace AudienceTrends.Core.Requests;

/// <summary>
/// A request's <c>webhook</c>: where to POST the job's completion event, and the key (the bytes of its
/// <c>whsec_</c> secret) it is signed with. The key is encrypted before it is stored and is never shown or logged.
/// </summary>
public sealed record WebhookRequest(Uri Url, byte[] Key)
{
    /// <summary>The URL without its query string or fragment, which may carry the receiver's own token: what is shown.</summary>
    public static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "";

    /// <summary>What the row keeps in clear: the URL without query string (which is encrypted apart) or fragment.</summary>
    public string StoredUrl => Url.GetLeftPart(UriPartial.Path);

    /// <summary>The query string, <c>?</c> included, which may carry the receiver's own token; null without one.</summary>
    public string? Query => Url.Query.Length > 1 ? Url.Query : null;

    public override string ToString() => Shown(Url.AbsoluteUri);
}
