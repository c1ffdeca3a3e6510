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

    /// <summary>Every id created at or after <paramref name="time"/> sorts before this key.</summary>
    public static string UpperBoundFor(DateTimeOffset time) => Prefix(time) + "ffffffffffff";

    public static bool IsValid(string? id) =>
        id is { Length: 24 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static string Prefix(DateTimeOffset time) =>
        (MaxMilliseconds - time.ToUnixTimeMilliseconds()).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
}
