using System.Buffers;

namespace AudienceTrends.Core.Accounts;

/// <summary>
/// The id of an account: 1 to 64 ASCII letters, digits and dashes, starting with a letter or a digit. Ids are
/// case-insensitive: <c>Acme</c> and <c>acme</c> are the same account, kept and answered in lower case, so two
/// accounts can never differ only by case and every table key built from an id is already canonical. Code that
/// stores or finds something for a caller takes this type, never a raw string.
/// </summary>
public readonly record struct AccountId
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private AccountId(string value) => Value = value;

    /// <summary>The canonical (lower-case) id.</summary>
    public string Value { get; }

    public static bool TryParse(string? text, out AccountId id)
    {
        id = default;
        if (text is null || Problem(text) is not null)
        {
            return false;
        }

        id = new AccountId(text.ToLowerInvariant());
        return true;
    }

    public static AccountId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException("Not an account id: " + Problem(text ?? ""));

    /// <summary>What is wrong with an id, phrased to follow the field's name, or null.</summary>
    public static string? Problem(string text) =>
        text.Length is 0 or > MaxLength || text.AsSpan().ContainsAnyExcept(Allowed) || text[0] == '-'
            ? $"must be 1 to {MaxLength} letters (A-Z, a-z), digits or dashes, starting with a letter or a digit."
            : null;

    public override string ToString() => Value ?? "";
}
