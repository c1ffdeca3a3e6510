using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AudienceTrends.Core.Common;

/// <summary>
/// The Standard Webhooks signature: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c> over
/// <c>&lt;webhook-id&gt;.&lt;webhook-timestamp&gt;.&lt;body&gt;</c>, keyed with the bytes of a <c>whsec_&lt;base64&gt;</c> secret.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The Standard Webhooks specification's bounds for a secret's key.</summary>
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;

    /// <summary>The key of a <c>whsec_&lt;base64&gt;</c> secret (24 to 64 bytes); false for anything else.</summary>
    public static bool TryReadSecret(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret[SecretPrefix.Length..];
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(encoded, buffer, out var length) || length is < MinKeyBytes or > MaxKeyBytes)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }

    /// <summary>The <c>webhook-signature</c> header's value for one delivery attempt.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
