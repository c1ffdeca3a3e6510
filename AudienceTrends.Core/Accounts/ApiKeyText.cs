using System.Buffers.Text;
using System.Security.Cryptography;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// The text of an API key, <c>atk_&lt;keyId&gt;_&lt;secret&gt;</c>: the key id (24 lower-case hex digits, random) names
/// the key's row, so finding it is one point read; the secret (32 random bytes, unpadded base64url, 43 characters)
/// proves possession. The id has no underscore, so the first underscore after the prefix ends it (the secret may
/// hold underscores). Only the SHA-256 of the secret is stored.
/// </summary>
/// <remarks>
/// Why a plain SHA-256 and not a slow password hash (PBKDF2, Argon2): slow hashes exist to make guessing a
/// low-entropy, human-chosen password from its leaked hash expensive. This secret has 256 bits from the system's
/// CSPRNG; no number of guesses per second makes searching 2^256 values feasible, so a leaked hash reveals nothing
/// usable, and a fast hash keeps the check on every request cheap. (The same reasoning as GitHub's and Stripe's
/// token storage.)
/// </remarks>
public static class ApiKeyText
{
    public const string Prefix = "atk_";
    public const int SecretBytes = 32;
    public const int KeyIdLength = 24;

    /// <summary>Base64url of 32 bytes without padding.</summary>
    private const int SecretLength = 43;

    public static int Length => Prefix.Length + KeyIdLength + 1 + SecretLength;

    /// <summary>A new key: its text (to show once) and the hash of its secret (to store).</summary>
    public static (string KeyId, string Key, byte[] SecretHash) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));
        Span<byte> secret = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(secret);
        try
        {
            return (keyId, Prefix + keyId + "_" + Base64Url.EncodeToString(secret), SHA256.HashData(secret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Whether <paramref name="key"/> has the key's shape; its id and secret bytes when it has.</summary>
    public static bool TryParse(string key, out string keyId, out byte[] secret)
    {
        keyId = "";
        secret = [];
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        var id = key.AsSpan(Prefix.Length, KeyIdLength);
        var text = key.AsSpan(Prefix.Length + KeyIdLength + 1);
        if (!IsLowerHex(id) || !Base64Url.IsValid(text, out var decodedLength) || decodedLength != SecretBytes)
        {
            return false;
        }

        var bytes = Base64Url.DecodeFromChars(text);
        if (!Base64Url.EncodeToString(bytes).AsSpan().SequenceEqual(text))
        {
            // Unused low bits set in the last character: another spelling of the same bytes. One key, one text.
            CryptographicOperations.ZeroMemory(bytes);
            return false;
        }

        keyId = id.ToString();
        secret = bytes;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="secret"/> is the one whose hash was stored. The hashes are compared in constant time,
    /// so the time taken says nothing about how many leading bytes matched.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> storedHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(secret, hash);
        return CryptographicOperations.FixedTimeEquals(hash, storedHash);
    }

    public static bool IsKeyId(string text) => text.Length == KeyIdLength && IsLowerHex(text);

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
