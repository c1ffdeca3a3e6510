using System.Net;

namespace AudienceTrends.Core.Accounts;

/// <summary>A customer account: every job, key and file of the service belongs to one.</summary>
public sealed record Account(AccountId Id, string Name, DateTimeOffset Created, DateTimeOffset? Disabled)
{
    public bool IsDisabled => Disabled is not null;
}

/// <summary>
/// What the service keeps of an API key besides its hash: never the key or its secret, so this type can be listed,
/// answered and logged freely.
/// </summary>
public sealed record ApiKeyInfo
{
    public required string KeyId { get; init; }

    public required AccountId Account { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset? Expires { get; init; }

    /// <summary>Empty: any client address. Otherwise the client's address must be in one of them.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; init; } = [];

    /// <summary>Written at most once a minute (see <see cref="ApiKeyAuthenticator"/>).</summary>
    public DateTimeOffset? LastUsed { get; init; }

    public DateTimeOffset? Revoked { get; init; }
}

/// <summary>A key as just created: the only time the service holds the key text. It is not printed by ToString.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Key)
{
    public override string ToString() => $"CreatedApiKey {{ KeyId = {Info.KeyId}, Account = {Info.Account} }}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("KeyId = ").Append(Info.KeyId);
        return true;
    }
}
