using System.Globalization;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Keys in Azure Key Vault (<c>SftpKeys:VaultUri</c>), reached with the app's identity: one secret
/// <c>sftpkey-&lt;name&gt;</c> per key holding the private key, and tags holding what may be shown (name, public key,
/// fingerprint, creation time, one tag per host; Key Vault allows 15 tags, hence at most
/// <see cref="SftpKeyRequest.MaxHosts"/> hosts). Key Vault has no create-if-absent, so a create first reserves the name
/// in a table (<see cref="KeyNameReservations"/>): of two creates of one name at once, one gets 409 and the key the
/// other wrote stays. Delete soft-deletes the secret, purges it and frees the name; when the identity may not purge,
/// the deleted secret keeps its name taken (a create with it gets 409) until the vault's retention ends.
/// </summary>
public sealed class KeyVaultSftpKeyStore(
    SecretClient client, KeyNameReservations reservations, ILogger<KeyVaultSftpKeyStore> logger) : ISftpKeyStore
{
    private const string Prefix = "sftpkey-";
    private const string MarkerTag = "audiencetrends";
    private const string MarkerValue = "sftpkey";
    private const string HostTag = "host";

    public async Task<bool> AddAsync(SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        if (!await reservations.TryReserveAsync(key.Name, cancellationToken))
        {
            return false;
        }

        // A key written before names were reserved holds its name without a reservation: the name stays taken.
        if (await GetAsync(key.Name, cancellationToken) is not null)
        {
            return false;
        }

        bool written;
        try
        {
            written = await WriteAsync(key, privateKey, cancellationToken);
        }
        catch
        {
            // The secret was not written: free the name for a later create, then report the failure as it is.
            await reservations.ReleaseAsync(key.Name, CancellationToken.None);
            throw;
        }

        if (!written)
        {
            await reservations.ReleaseAsync(key.Name, cancellationToken);
        }

        return written;
    }

    private async Task<bool> WriteAsync(SftpKey key, string privateKey, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(SecretName(key.Name), privateKey);
        secret.Properties.ContentType = "application/x-openssh-private-key";
        var tags = secret.Properties.Tags;
        tags[MarkerTag] = MarkerValue;
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

    public async Task<SftpKey?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return ToKey((await client.GetSecretAsync(SecretName(name), cancellationToken: cancellationToken)).Value.Properties);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<SftpKey>> ListAsync(CancellationToken cancellationToken)
    {
        var keys = new List<SftpKey>();
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken))
        {
            if (ToKey(properties) is { } key)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    public async Task<string?> GetPrivateKeyAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var secret = (await client.GetSecretAsync(SecretName(name), cancellationToken: cancellationToken)).Value;
            return ToKey(secret.Properties) is null ? null : secret.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var secretName = SecretName(name);
        DeleteSecretOperation operation;
        try
        {
            operation = await client.StartDeleteSecretAsync(secretName, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No secret: free a reservation a create left behind when it stopped between reserving and writing.
            await reservations.ReleaseAsync(name, cancellationToken);
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
        await reservations.ReleaseAsync(name, cancellationToken);
        return true;
    }

    private static string SecretName(string name) => Prefix + name.ToLowerInvariant();

    /// <summary>Null for a secret that is not one of ours (another secret in the vault, or one disabled by hand).</summary>
    private static SftpKey? ToKey(SecretProperties properties)
    {
        var tags = (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(properties.Tags, StringComparer.Ordinal);
        if (!properties.Name.StartsWith(Prefix, StringComparison.Ordinal) || properties.Enabled == false
            || !tags.TryGetValue(MarkerTag, out var marker) || marker != MarkerValue)
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
