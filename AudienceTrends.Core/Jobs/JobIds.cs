using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Job ids are 24 lower-case hex digits: 12 for the creation time in milliseconds, counted down so that the table's
/// key order is newest first, then 12 random. One partition then gives point reads by id and newest-first listing.
/// </summary>
public static class JobIds
{
    private const long MaxMilliseconds = 0xFFFF_FFFF_FFFF;

    public static string New(DateTimeOffset createdAt)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        var suffix = BinaryPrimitives.ReadUInt64LittleEndian(random) & 0xFFFF_FFFF_FFFF;
        return Prefix(createdAt) + suffix.ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The id of a job that must be the same each time it is created (a schedule's slot, retried after a crash): the
    /// time part as for <see cref="New"/>, then 12 hex digits of the SHA-256 of <paramref name="seed"/> instead of random.
    /// </summary>
    public static string For(DateTimeOffset createdAt, string seed)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed), hash);
        return Prefix(createdAt) + Convert.ToHexStringLower(hash[..6]);
    }

    /// <summary>Every id created at or after <paramref name="time"/> sorts before this key.</summary>
    public static string UpperBoundFor(DateTimeOffset time) => Prefix(time) + "ffffffffffff";

    public static bool IsValid(string? id) =>
        id is { Length: 24 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static string Prefix(DateTimeOffset time) =>
        (MaxMilliseconds - time.ToUnixTimeMilliseconds()).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
}
