namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>Where keys created through <c>POST /v2/sftpkeys</c> are kept. Section <c>SftpKeys</c>.</summary>
public sealed class SftpKeysOptions
{
    public const string SectionName = "SftpKeys";
    public const string TableStore = "Table";
    public const string KeyVaultStore = "KeyVault";

    /// <summary><c>Table</c> (the job table's storage account, encrypted under SecretProtection:Key) or <c>KeyVault</c>.</summary>
    public string Store { get; set; } = TableStore;

    /// <summary>The table of the <c>Table</c> store.</summary>
    public string TableName { get; set; } = "sftpkeys";

    /// <summary>The vault of the <c>KeyVault</c> store (<c>https://&lt;vault&gt;.vault.azure.net/</c>).</summary>
    public string? VaultUri { get; set; }

    public bool UsesKeyVault => string.Equals(Store, KeyVaultStore, StringComparison.OrdinalIgnoreCase);

    internal IEnumerable<string> Validate()
    {
        if (!string.Equals(Store, TableStore, StringComparison.OrdinalIgnoreCase) && !UsesKeyVault)
        {
            yield return $"Store must be {TableStore} or {KeyVaultStore}.";
        }

        if (string.IsNullOrEmpty(TableName) || TableName.Length is < 3 or > 63 || !char.IsAsciiLetter(TableName[0])
            || !TableName.All(char.IsAsciiLetterOrDigit))
        {
            yield return "TableName must be 3 to 63 letters and digits, starting with a letter.";
        }

        if (UsesKeyVault && (!Uri.TryCreate(VaultUri, UriKind.Absolute, out var vault) || vault.Scheme != Uri.UriSchemeHttps))
        {
            yield return "VaultUri is required with Store KeyVault: the vault's https URI, e.g. https://<vault>.vault.azure.net/.";
        }
    }
}
