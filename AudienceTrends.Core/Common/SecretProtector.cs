using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Common;

/// <summary>
/// Authenticated encryption (AES-256-GCM) of a job's destination credentials, an opaque payload that only the
/// destination's kind can read. The job id is bound in as associated data, so a ciphertext copied onto another job's
/// row does not decrypt.
/// Format: base64( version 1 | nonce 12 | tag 16 | ciphertext ).
/// </summary>
public sealed class SecretProtector(IOptions<SecretProtectionOptions> options)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = Convert.FromBase64String(options.Value.Key!);

    /// <summary>
    /// A 32-byte key of its own for <paramref name="purpose"/>, derived from the service's key (HKDF-SHA256), so a key
    /// used for one thing (say, hashing Idempotency-Keys) reveals nothing about the encryption key or any other.
    /// </summary>
    public byte[] DeriveKey(string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt: [], info: Encoding.UTF8.GetBytes(purpose));
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (and zeroes it) bound to <paramref name="associatedData"/>: the job id, or
    /// the job id and a purpose for another secret of the same row (<see cref="WebhookSecretContext"/>).
    /// </summary>
    public string Protect(byte[] plaintext, string associatedData)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize),
            Encoding.UTF8.GetBytes(associatedData));
        CryptographicOperations.ZeroMemory(plaintext);
        return Convert.ToBase64String(output);
    }

    /// <summary>What a job's webhook key is bound to, so it cannot be swapped with the destination's credentials.</summary>
    public static string WebhookSecretContext(string jobId) => jobId + "/webhook";

    /// <summary>What a job's webhook query string (it may carry the receiver's token) is bound to.</summary>
    public static string WebhookQueryContext(string jobId) => jobId + "/webhook-query";

    /// <summary>
    /// The payload <see cref="Protect(byte[], string)"/> encrypted, or null when there was none. The caller zeroes it
    /// after use. Anything that does not decrypt (another key, another job, a damaged column) is a <see cref="CryptographicException"/>.
    /// </summary>
    public byte[]? Unprotect(string? protectedSecrets, string jobId)
    {
        if (string.IsNullOrEmpty(protectedSecrets))
        {
            return null;
        }

        byte[] input;
        try
        {
            input = Convert.FromBase64String(protectedSecrets);
        }
        catch (FormatException e)
        {
            // A damaged column is as unreadable as a wrong key: callers handle one exception type, and a retry
            // cannot help either.
            throw new CryptographicException("The job's protected secrets are not base64.", e);
        }

        if (input.Length < 1 + NonceSize + TagSize || input[0] != Version)
        {
            throw new CryptographicException("The job's protected secrets have an unknown format.");
        }

        var plaintext = new byte[input.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(input.AsSpan(1, NonceSize), input.AsSpan(1 + NonceSize + TagSize), input.AsSpan(1 + NonceSize, TagSize),
            plaintext, Encoding.UTF8.GetBytes(jobId));
        return plaintext;
    }
}
