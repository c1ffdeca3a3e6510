namespace AudienceTrends.Core.Common;

/// <summary>Section <c>SecretProtection</c>: the key that encrypts destination credentials in job rows.</summary>
public sealed class SecretProtectionOptions
{
    public const string SectionName = "SecretProtection";

    /// <summary>Base64 of 32 random bytes (AES-256). From Key Vault in Azure; never from the storage account.</summary>
    public string? Key { get; set; }

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Key))
        {
            yield return "Key is required: base64 of 32 random bytes (e.g. `openssl rand -base64 32`).";
            yield break;
        }

        Span<byte> buffer = stackalloc byte[64];
        if (!Convert.TryFromBase64String(Key, buffer, out var length) || length != 32)
        {
            yield return "Key must be base64 of exactly 32 bytes.";
        }
    }
}
