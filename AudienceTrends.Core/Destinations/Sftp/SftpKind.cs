using AudienceTrends.Core.Accounts;
using System.Buffers;
using AudienceTrends.Core.Destinations.FileServer;

namespace AudienceTrends.Core.Destinations.Sftp;

/// <summary>Destination type <c>sftp</c>: a password or the name of a key the service holds, and optionally the expected host key.</summary>
public sealed class SftpKind(ISavedKeyStore savedKeys) : DestinationKind<SftpSettings, FileServerSecrets>, IReadsLegacyRows
{
    public const string Name = "sftp";

    /// <summary>The result detail naming the host key the server presented.</summary>
    public const string ObservedHostKeyDetail = "hostKeyFingerprint";

    private const string SavedKeyField = "savedKey";
    private const string FingerprintField = "hostKeyFingerprint";
    private const int MaxSavedKeyLength = 127;
    private const string FingerprintPrefix = "SHA256:";
    private const int FingerprintBase64Length = 43;
    private static readonly SearchValues<char> SavedKeyChars = SearchValues.Create(FieldRules.Letters + FieldRules.Digits + "-_");
    private static readonly SearchValues<char> Base64Chars = SearchValues.Create(FieldRules.Letters + FieldRules.Digits + "+/");

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields)
    {
        var hasPassword = fields.Has(FileServerFields.Password);
        var hasSavedKey = fields.Has(SavedKeyField);
        if (hasPassword && hasSavedKey)
        {
            var both = $"{fields.PathOf(FileServerFields.Password)} and {fields.PathOf(SavedKeyField)} are both given: give exactly one of them.";
            fields.AddMessage(FileServerFields.Password, both);
            fields.AddMessage(SavedKeyField, both);
        }
        else if (!hasPassword && !hasSavedKey)
        {
            fields.AddMessage(FileServerFields.Password,
                $"SFTP needs {fields.PathOf(FileServerFields.Password)} or {fields.PathOf(SavedKeyField)} (the name of a key held by the service): give exactly one of them.");
        }

        var (server, port, username) = FileServerFields.ReadLogin(fields);
        var savedKey = fields.String(SavedKeyField, rule: SavedKeyProblem);

        var fingerprint = fields.String(FingerprintField, rule: FingerprintProblem);
        var path = DestinationPath.Read(fields);
        var password = fields.String(FileServerFields.Password);
        if (fields.HasProblems)
        {
            return null;
        }

        return new DestinationInput(
            new SftpSettings { Server = server!, Port = port!.Value, Username = username!, SavedKey = savedKey, HostKeyFingerprint = fingerprint, Path = path },
            new FileServerSecrets { Password = password });
    }

    public LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row)
    {
        var (server, port, username, path) = FileServerLegacyColumns.Read(row, SftpDestination.DefaultPort);
        var settings = new SftpSettings
        {
            Server = server,
            Port = port,
            Username = username,
            Path = path,
            SavedKey = Text(row, "DestinationSavedKey"),
            HostKeyFingerprint = Text(row, "DestinationHostKeyFingerprint"),
        };
        return Text(row, "ResultHostKeyFingerprint") is { } observed
            ? new LegacyDestination(settings, new Dictionary<string, string> { [ObservedHostKeyDetail] = observed })
            : new LegacyDestination(settings);
    }

    private static string? SavedKeyProblem(string savedKey) =>
        savedKey.Length > MaxSavedKeyLength || savedKey.AsSpan().ContainsAnyExcept(SavedKeyChars)
            ? $"must be the name of a key held by the service: 1 to {MaxSavedKeyLength} letters, digits, dashes or underscores."
            : null;

    /// <summary>A saved key must be one the service holds, bound to the server (the keys created through the API live in a table or Key Vault).</summary>
    protected override async Task<IReadOnlyDictionary<string, string>> CheckAsync(SftpSettings settings, AccountId account, CancellationToken cancellationToken)
    {
        var problem = settings.SavedKey is null ? null : await savedKeys.CheckAsync(account, settings.SavedKey, settings.Server, cancellationToken) switch
        {
            SavedKeyUse.UnknownKey => "names no key held by the service: create one with POST /v2/sftpkeys (GET /v2/sftpkeys lists them).",
            SavedKeyUse.HostNotAllowed => "may not be used for destination.server: each saved key logs in only to the hosts listed for it (GET /v2/sftpkeys/{name} shows them).",
            _ => null,
        };
        return problem is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [SavedKeyField] = problem };
    }

    private static string? FingerprintProblem(string fingerprint) =>
        fingerprint.StartsWith(FingerprintPrefix, StringComparison.Ordinal)
        && fingerprint.Length == FingerprintPrefix.Length + FingerprintBase64Length
        && !fingerprint.AsSpan(FingerprintPrefix.Length).ContainsAnyExcept(Base64Chars)
            ? null
            : $"must be \"{FingerprintPrefix}\" followed by {FingerprintBase64Length} base64 characters without padding, as \"ssh-keygen -lf <key> -E sha256\" prints it.";
}
