using System.Text;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// Reads an API key from an <c>Authorization</c> header value. Two forms:
/// <list type="bullet">
/// <item><c>Basic base64(&lt;key&gt;:)</c>: the key as the user name and an empty password, as the reference API's
/// clients send it (<c>curl -u "$KEY:"</c>). Per RFC 7617 the decoded text is <c>user-id ":" password</c>, so the
/// colon is required; a non-empty password is refused (it would be a different credential than the key).</item>
/// <item><c>Bearer &lt;key&gt;</c> (RFC 6750).</item>
/// </list>
/// Scheme names are case-insensitive (RFC 9110); anything else is malformed.
/// </summary>
public static class ApiKeyCredentials
{
    // Well above a Basic header of the longest key; larger values are not decoded at all.
    private const int MaxHeaderLength = 512;

    public static RefusalReason? TryRead(string? authorization, out string keyId, out byte[] secret)
    {
        keyId = "";
        secret = [];
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return RefusalReason.Missing;
        }

        if (authorization.Length > MaxHeaderLength)
        {
            return RefusalReason.Malformed;
        }

        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return RefusalReason.Malformed;
        }

        var scheme = authorization[..space];
        var credentials = authorization[(space + 1)..].TrimStart(' ').TrimEnd();
        var key = scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) ? BasicUserName(credentials)
            : scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? credentials
            : null;
        return key is not null && ApiKeyText.TryParse(key, out keyId, out secret) ? null : RefusalReason.Malformed;
    }

    /// <summary>The user name of <c>base64(user:)</c>, or null unless the password is empty.</summary>
    private static string? BasicUserName(string token)
    {
        var bytes = new byte[token.Length];
        if (!Convert.TryFromBase64String(token, bytes, out var length))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon == text.Length - 1 ? text[..colon] : null;
    }
}

/// <summary>
/// Why a request was not authenticated. Only ever logged: every reason gives the caller the same answer, so the
/// answer tells nothing about which keys or accounts exist.
/// </summary>
public enum RefusalReason
{
    Missing,
    Malformed,
    UnknownKey,
    WrongSecret,
    Revoked,
    Expired,
    NetworkNotAllowed,
    AccountDisabled,
}
