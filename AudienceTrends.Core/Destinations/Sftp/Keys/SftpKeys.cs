using AudienceTrends.Core.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Every saved SFTP key, in one place: the keys operators put in the settings (<c>Sftp:SavedKeys:&lt;name&gt;</c>,
/// read-only, bound to <c>Sftp:SavedKeyHosts:&lt;name&gt;</c>) and the keys created through the API, kept in the
/// configured <see cref="ISftpKeyStore"/>. A settings key wins over a stored key of the same name (none can be created
/// with a name the settings use). The private key never leaves: only the login reads it, through
/// <see cref="FindAsync"/>.
/// </summary>
public sealed class SftpKeys(
    Lazy<ISftpKeyStore> stored, IOptionsMonitor<SftpOptions> settings, TimeProvider time, ILogger<SftpKeys> logger) : ISavedKeyStore
{
    // Reached only for names the settings do not hold, so containers without storage (a parser, a registry of kinds) can build the kind.
    private ISftpKeyStore Store => stored.Value;

    public async Task<(SftpKey? Key, SftpKeyChange Change)> CreateAsync(AccountId account, SftpKeyRequest request, CancellationToken cancellationToken)
    {
        if (FromSettings(request.Name) is not null)
        {
            return (null, SftpKeyChange.Conflict);
        }

        var pair = SftpKeyPair.Generate(request.Name);
        var key = new SftpKey
        {
            Name = request.Name,
            PublicKey = pair.PublicKey,
            Fingerprint = pair.Fingerprint,
            Hosts = request.Hosts,
            Created = time.GetUtcNow(),
            Source = SftpKeySource.Api,
        };
        if (!await Store.AddAsync(key, pair.PrivateKey, cancellationToken))
        {
            return (null, SftpKeyChange.Conflict);
        }

        logger.LogInformation("Created SFTP key {KeyName} ({Fingerprint}) for {Hosts}", key.Name, key.Fingerprint, key.Hosts);
        return (key, SftpKeyChange.Done);
    }

    /// <summary>
    /// What is wrong with a key name a request gives (a route value), phrased to follow "name", or null: the name of a
    /// settings key, or one a create would accept. Any other name cannot exist, and a store must never see it (an
    /// Azure Table or Key Vault answers <c>#</c>, <c>/</c>, <c>_</c> or control characters with an error, not 404).
    /// </summary>
    public string? NameProblem(string name) => InSettings(name) ? null : SftpKeyRequest.NameProblem(name);

    public async Task<SftpKey?> GetAsync(AccountId account, string name, CancellationToken cancellationToken) =>
        FromSettings(name) ?? (Storable(name) ? await Store.GetAsync(name, cancellationToken) : null);

    /// <summary>Settings keys and stored keys, by name.</summary>
    public async Task<IReadOnlyList<SftpKey>> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        var fromSettings = settings.CurrentValue.SavedKeys.Keys.Select(FromSettings).OfType<SftpKey>().ToList();
        var fromStore = await Store.ListAsync(cancellationToken);
        return fromSettings
            .Concat(fromStore.Where(k => !fromSettings.Any(s => string.Equals(s.Name, k.Name, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(k => k.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<SftpKeyChange> DeleteAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        if (FromSettings(name) is not null)
        {
            return SftpKeyChange.Conflict;
        }

        if (!Storable(name) || !await Store.DeleteAsync(name, cancellationToken))
        {
            return SftpKeyChange.NotFound;
        }

        logger.LogInformation("Deleted SFTP key {KeyName}", name);
        return SftpKeyChange.Done;
    }

    public async Task<SavedKeyUse> CheckAsync(AccountId account, string name, string host, CancellationToken cancellationToken)
    {
        var current = settings.CurrentValue;
        if (current.SavedKeys.ContainsKey(name))
        {
            return current.HostsOf(name).Contains(SftpOptions.NormalizeHost(host)) ? SavedKeyUse.Allowed : SavedKeyUse.HostNotAllowed;
        }

        var key = Storable(name) ? await Store.GetAsync(name, cancellationToken) : null;
        return key is null ? SavedKeyUse.UnknownKey
            : key.MayLogInTo(host) ? SavedKeyUse.Allowed
            : SavedKeyUse.HostNotAllowed;
    }

    public async Task<IPrivateKeySource?> FindAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        var text = SettingsText(name) ?? (Storable(name) ? await Store.GetPrivateKeyAsync(name, cancellationToken) : null);
        return text is not null && SavedKeyText.TryLoad(text, out var key) ? key : null;
    }

    private bool InSettings(string name) => settings.CurrentValue.SavedKeys.ContainsKey(name);

    /// <summary>Only names a create accepts reach the store: anything else is no stored key.</summary>
    private static bool Storable(string name) => SftpKeyRequest.NameProblem(name) is null;

    private string? SettingsText(string name) =>
        settings.CurrentValue.SavedKeys.TryGetValue(name, out var text) ? text : null;

    private SftpKey? FromSettings(string name)
    {
        var current = settings.CurrentValue;
        if (!current.SavedKeys.TryGetValue(name, out var text))
        {
            return null;
        }

        var configured = current.SavedKeys.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        var described = SftpKeyPair.Describe(configured, text);
        return new SftpKey
        {
            Name = configured,
            PublicKey = described?.PublicKey,
            Fingerprint = described?.Fingerprint,
            Hosts = [.. current.HostsOf(configured).Order(StringComparer.Ordinal)],
            Source = SftpKeySource.Settings,
        };
    }
}

/// <summary>What a create or delete did.</summary>
public enum SftpKeyChange
{
    Done,
    NotFound,

    /// <summary>The name is taken (create), or the key comes from the settings and is read-only (delete).</summary>
    Conflict,
}
