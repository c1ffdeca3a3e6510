using AudienceTrends.Core.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// Every saved SFTP key an account may use, in one place: the keys operators put in the settings
/// (<c>Sftp:SavedKeys:&lt;name&gt;</c>, read-only, bound to <c>Sftp:SavedKeyHosts:&lt;name&gt;</c> and usable by the
/// accounts <c>Sftp:SavedKeyAccounts:&lt;name&gt;</c> lists) and the account's own keys created through the API, kept in
/// the configured <see cref="ISftpKeyStore"/>. To an account, another account's key and a settings key that does not
/// list it are the same as a key that does not exist: not listed, 404 on read and delete, "unknown key" when a request
/// names it. A settings key the account may use wins over its stored key of the same name. Names the settings use are
/// taken for every account (a create gets the same 409 as for any taken name, so it tells nothing about who may use
/// them). The private key never leaves: only the login reads it, through <see cref="FindAsync"/>.
/// </summary>
public sealed class SftpKeys(
    Lazy<ISftpKeyStore> stored, IOptionsMonitor<SftpOptions> settings, IOptions<SftpKeysOptions> options, TimeProvider time, ILogger<SftpKeys> logger)
    : ISavedKeyStore
{
    // Reached only for names the settings do not hold, so containers without storage (a parser, a registry of kinds) can build the kind.
    private ISftpKeyStore Store => stored.Value;

    /// <summary>Keys one account may hold in the store (<see cref="SftpKeysOptions.MaxKeysPerAccount"/>).</summary>
    public int MaxKeysPerAccount => options.Value.MaxKeysPerAccount;

    public async Task<(SftpKey? Key, SftpKeyChange Change)> CreateAsync(AccountId account, SftpKeyRequest request, CancellationToken cancellationToken)
    {
        if (InSettings(request.Name))
        {
            return (null, SftpKeyChange.Conflict);
        }

        if ((await Store.ListAsync(account, cancellationToken)).Count >= MaxKeysPerAccount)
        {
            return (null, SftpKeyChange.LimitReached);
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
        if (!await Store.AddAsync(account, key, pair.PrivateKey, cancellationToken))
        {
            return (null, SftpKeyChange.Conflict);
        }

        logger.LogInformation("Created SFTP key {KeyName} ({Fingerprint}) for {Hosts} of account {AccountId}", key.Name, key.Fingerprint, key.Hosts, account.Value);
        return (key, SftpKeyChange.Done);
    }

    /// <summary>
    /// What is wrong with a key name a request gives (a route value), phrased to follow "name", or null: the name of a
    /// settings key the account may use, or one a create would accept. Any other name cannot exist for the account
    /// (a settings key it may not use answers as any unknown name would), and a store must never see it (an Azure
    /// Table or Key Vault answers <c>#</c>, <c>/</c>, <c>_</c> or control characters with an error, not 404).
    /// </summary>
    public string? NameProblem(AccountId account, string name) => Usable(account, name) ? null : SftpKeyRequest.NameProblem(name);

    public async Task<SftpKey?> GetAsync(AccountId account, string name, CancellationToken cancellationToken) =>
        FromSettings(account, name) ?? (Storable(name) ? await Store.GetAsync(account, name, cancellationToken) : null);

    /// <summary>The settings keys the account may use and its stored keys, by name.</summary>
    public async Task<IReadOnlyList<SftpKey>> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        var fromSettings = settings.CurrentValue.SavedKeys.Keys.Select(name => FromSettings(account, name)).OfType<SftpKey>().ToList();
        var fromStore = await Store.ListAsync(account, cancellationToken);
        return fromSettings
            .Concat(fromStore.Where(k => !fromSettings.Any(s => string.Equals(s.Name, k.Name, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(k => k.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<SftpKeyChange> DeleteAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        if (Usable(account, name))
        {
            return SftpKeyChange.Conflict;
        }

        if (!Storable(name) || !await Store.DeleteAsync(account, name, cancellationToken))
        {
            return SftpKeyChange.NotFound;
        }

        logger.LogInformation("Deleted SFTP key {KeyName} of account {AccountId}", name, account.Value);
        return SftpKeyChange.Done;
    }

    public async Task<SavedKeyUse> CheckAsync(AccountId account, string name, string host, CancellationToken cancellationToken)
    {
        if (Usable(account, name))
        {
            return settings.CurrentValue.HostsOf(name).Contains(SftpOptions.NormalizeHost(host)) ? SavedKeyUse.Allowed : SavedKeyUse.HostNotAllowed;
        }

        var key = Storable(name) ? await Store.GetAsync(account, name, cancellationToken) : null;
        return key is null ? SavedKeyUse.UnknownKey
            : key.MayLogInTo(host) ? SavedKeyUse.Allowed
            : SavedKeyUse.HostNotAllowed;
    }

    public async Task<IPrivateKeySource?> FindAsync(AccountId account, string name, CancellationToken cancellationToken)
    {
        var text = SettingsText(account, name) ?? (Storable(name) ? await Store.GetPrivateKeyAsync(account, name, cancellationToken) : null);
        return text is not null && SavedKeyText.TryLoad(text, out var key) ? key : null;
    }

    private bool InSettings(string name) => settings.CurrentValue.SavedKeys.ContainsKey(name);

    /// <summary>A settings key of that name that <paramref name="account"/> may use.</summary>
    private bool Usable(AccountId account, string name) => settings.CurrentValue.MayUse(name, account);

    /// <summary>Only names a create accepts reach the store: anything else is no stored key.</summary>
    private static bool Storable(string name) => SftpKeyRequest.NameProblem(name) is null;

    private string? SettingsText(AccountId account, string name) =>
        Usable(account, name) && settings.CurrentValue.SavedKeys.TryGetValue(name, out var text) ? text : null;

    private SftpKey? FromSettings(AccountId account, string name)
    {
        var current = settings.CurrentValue;
        if (!current.MayUse(name, account) || !current.SavedKeys.TryGetValue(name, out var text))
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

    /// <summary>The account holds <see cref="SftpKeysOptions.MaxKeysPerAccount"/> keys already (create).</summary>
    LimitReached,
}
