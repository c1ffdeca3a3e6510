using System.Text.Json;

namespace AudienceTrends.Core.Requests;

/// <summary>
/// The request's optional <c>webhook</c> object, <c>{"url": "https://...", "secret": "whsec_..."}</c>: its shape only.
/// Whether the receiver's address may be called (and so whether http is acceptable) is decided by
/// <see cref="WebhookHosts"/> once the host is resolved.
/// </summary>
public static class WebhookField
{
    public const string Name = "webhook";
    public const string UrlField = "url";
    public const string SecretField = "secret";

    private const int MaxUrlLength = 2048;

    /// <summary>Null when absent or refused; a refusal is reported under <c>webhook.url</c> or <c>webhook.secret</c>.</summary>
    public static WebhookRequest? Read(JsonFields body)
    {
        if (!body.TryGet(Name, required: false, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            body.Add(Name, "must be an object such as {\"url\": \"https://example.com/hooks\", \"secret\": \"whsec_...\"}.");
            return null;
        }

        var fields = body.Nested(element, Name);
        var url = fields.String(UrlField, required: true, UrlProblem);
        byte[] key = [];
        fields.String(SecretField, required: true, value => WebhookSignature.TryReadSecret(value, out key)
            ? null
            : $"must be \"{WebhookSignature.SecretPrefix}\" followed by the base64 of a random key of " +
              $"{WebhookSignature.MinKeyBytes} to {WebhookSignature.MaxKeyBytes} bytes.");
        return fields.HasProblems ? null : new WebhookRequest(new Uri(url!), key);
    }

    private static string? UrlProblem(string value) =>
        value.Length > MaxUrlLength
        || !Uri.TryCreate(value, UriKind.Absolute, out var url)
        || url.Scheme is not ("https" or "http")
        || url.UserInfo.Length > 0
        || url.Fragment.Length > 0
        || url.HostNameType is UriHostNameType.Unknown or UriHostNameType.Basic
            ? $"must be an absolute https URL of at most {MaxUrlLength} characters, without user name, password or fragment, " +
              "such as https://example.com/hooks/audiencetrends."
            : null;
}
