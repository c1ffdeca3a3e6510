using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Accounts;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Keys in Azure Key Vault (<c>SftpKeys:VaultUri</c>), reached with the app's identity: one secret per key holding the
/// private key, named <c>sftpkey-&lt;account hash&gt;-&lt;name&gt;</c> (<see cref="SecretName"/>: Key Vault names allow
/// only letters, digits and dashes, so the account is the first 32 hex digits of its id's SHA-256, a fixed length that
/// cannot run into the name), and tags holding what may be shown (name, public key, fingerprint, creation time, one
/// tag per host) and the owning account, checked on every read: a secret whose <c>account</c> tag is not the caller's
/// is not the caller's key. Key Vault allows 15 tags, hence at most <see cref="SftpKeyRequest.MaxHosts"/> hosts.
/// Key Vault has no create-if-absent, so a create first reserves the account's name in a table
/// (<see cref="KeyNameReservations"/>): of two creates of one name at once, one gets 409 and the key the other wrote
/// stays. Delete soft-deletes the secret, purges it and frees the name; when the identity may not purge, the deleted
/// secret keeps its name taken (a create with it gets 409) until the vault's retention ends.
/// <para>
/// Secrets written before accounts existed are named <c>sftpkey-&lt;name&gt;</c> and carry no <c>account</c> tag.
/// They are the keys of <c>Accounts:LegacyAccount</c> (<see cref="AccountsOptions.LegacyAccountId"/>), read after
/// its own (it cannot create a name such a secret holds); no other account reaches them.
/// </para>
/// </summary>
public sealed class KeyVaultSftpKeyStore(
    SecretClient client, KeyNameReservations reservations, IOptions<AccountsOptions> accounts, ILogger<KeyVaultSftpKeyStore> logger)
    : ISftpKeyStore
{
    private const string Prefix = "sftpkey-";
    private const string MarkerTag = "audiencetrends";
    private const string MarkerValue = "sftpkey";
    private const string AccountTag = "account";
    private const string HostTag = "host";

    private readonly AccountId _legacyAccount = accounts.Value.LegacyAccountId;

    /// <summary>The secret of <paramref name="account"/>'s key <paramref name="name"/>: <c>sftpkey-</c>, 32 hex digits, <c>-</c>, the lower-case name.</summary>
    public static string SecretName(AccountId account, string name) =>
        $"{Prefix}{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(account.Value)))[..32]}-{name.ToLowerInvariant()}";

    public async Task<bool> AddAsync(AccountId account, SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        if (!await reservations.TryReserveAsync(account, key.Name, cancellationToken))
        {
            return false;
        }

        // A key written before names were reserved holds its name without a reservation: the name stays taken. So
        // does any secret of the name, ours or not: a write would replace it.
        if (await ReadAsync(SecretName(account, key.Name), cancellationToken) is not null
            || (account == _legacyAccount && await FindAsync(account, key.Name, cancellationToken) is not null))
        {
            return false;
        }

        bool written;
        try
        {
            written = await WriteAsync(account, key, privateKey, cancellationToken);
        }
        catch
        {
            // The secret was not written: free the name for a later create, then report the failure as it is.
            await reservations.ReleaseAsync(account, key.Name, CancellationToken.None);
            throw;
        }

        if (!written)
        {
            await reservations.ReleaseAsync(account, key.Name, cancellationToken);
        }

        return written;
    }

    private async Task<bool> WriteAsync(AccountId account, SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(SecretName(account, key.Name), privateKey);
        secret.Properties.ContentType = "application/x-openssh-private-key";
        var tags = secret.Properties.Tags;
        tags[MarkerTag] = MarkerValue;
        tags[AccountTag] = account.Value;
        tags["name"] = key.Name;
        tags["publicKey"] = key.PublicKey;
        tags["fingerprint"] = key.Fingerprint;
        tags["created"] = key.Created?.ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < key.Hosts.Count; i++)
        {
            tags[HostTag + i.ToString(CultureInfo.InvariantCulture)] = key.Hosts[i];
        }

        try
        {
            await client.SetSecretAsync(secret, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // A deleted secret of that name not yet purged.
            return false;
        }
    }

    public async Task<SftpKey?> GetAsync(AccountId account, string name, CancellationToken cancellationToken) =>
        await FindAsync(account, name, cancellationToken) is { } found ? ToKey(found.Secret.Properties, found.Owner) : null;

    public async Task<IReadOnlyList<SftpKey>> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        var own = new List<SftpKey>();
        var legacy = new List<SftpKey>();
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken))
        {
            if (ToKey(properties, account) is { } key)
            {
                own.Add(key);
            }
            else if (account == _legacyAccount && ToKey(properties, null) is { } legacyKey)
            {
                legacy.Add(legacyKey);
            }
        }

        return [.. own, .. legacy.Where(l => !own.Any(k => string.Equals(k.Name, l.Name, StringComparison.OrdinalIgnoreCase)))];
    }

    public async Task<string?> GetPrivateKeyAsync(AccountId account, string name, CancellationToken cancellationToken) =>
        (await FindAsync(account, name, cancellationToken))?.Secret.Value;

    public async Task<bool> DeleteAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        if (await FindAsync(account, name, cancellationToken) is not { } found)
        {
            // No secret: free a reservation a create left behind when it stopped between reserving and writing.
            await reservations.ReleaseAsync(account, name, cancellationToken);
            return false;
        }

        var secretName = found.Secret.Name;
        DeleteSecretOperation operation;
        try
        {
            operation = await client.StartDeleteSecretAsync(secretName, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted by another call since it was read.
            return false;
        }

        // The secret stops being readable at once; the purge waits until the soft delete has completed.
        await operation.WaitForCompletionAsync(cancellationToken);
        try
        {
            await client.PurgeDeletedSecretAsync(secretName, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 403 or 404)
        {
            logger.LogWarning("SFTP key {KeyName} was deleted but not purged ({Status}); its name stays reserved until the vault's retention ends", name, e.Status);
        }

        // Key Vault itself refuses the name while a deleted secret holds it.
        if (found.Owner is null)
        {
            await reservations.ReleaseLegacyAsync(name, cancellationToken);
        }
        else
        {
            await reservations.ReleaseAsync(account, name, cancellationToken);
        }

        return true;
    }

    /// <summary>The account's secret of <paramref name="name"/>, else (for the legacy account) the legacy one; null when neither is its key.</summary>
    private async Task<(KeyVaultSecret Secret, AccountId? Owner)?> FindAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        if (await ReadAsync(SecretName(account, name), cancellationToken) is { } own && ToKey(own.Properties, account) is not null)
        {
            return (own, account);
        }

        if (account == _legacyAccount && await ReadAsync(Prefix + name.ToLowerInvariant(), cancellationToken) is { } legacy
            && ToKey(legacy.Properties, null) is not null)
        {
            return (legacy, null);
        }

        return null;
    }

    private async Task<KeyVaultSecret?> ReadAsync(string secretName, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetSecretAsync(secretName, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Null for a secret that is not a key of <paramref name="owner"/> (null: a key written before accounts existed):
    /// another account's, another secret in the vault, or one disabled by hand.
    /// </summary>
    private static SftpKey? ToKey(SecretProperties properties, AccountId? owner)
    {
        var tags = (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(properties.Tags, StringComparer.Ordinal);
        if (!properties.Name.StartsWith(Prefix, StringComparison.Ordinal) || properties.Enabled == false
            || !tags.TryGetValue(MarkerTag, out var marker) || marker != MarkerValue
            || tags.GetValueOrDefault(AccountTag) != owner?.Value)
        {
            return null;
        }

        return new SftpKey
        {
            Name = tags.TryGetValue("name", out var name) ? name : properties.Name[Prefix.Length..],
            PublicKey = tags.GetValueOrDefault("publicKey"),
            Fingerprint = tags.GetValueOrDefault("fingerprint"),
            Hosts = tags.Where(t => t.Key.Length > HostTag.Length && t.Key.StartsWith(HostTag, StringComparison.Ordinal)
                    && t.Key[HostTag.Length..].All(char.IsAsciiDigit))
                .OrderBy(t => int.Parse(t.Key[HostTag.Length..], CultureInfo.InvariantCulture))
                .Select(t => t.Value)
                .ToList(),
            Created = DateTimeOffset.TryParse(tags.GetValueOrDefault("created"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var created)
                ? created
                : properties.CreatedOn,
            Source = SftpKeySource.Api,
        };
    }
}
