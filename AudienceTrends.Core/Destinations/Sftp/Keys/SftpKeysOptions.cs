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

    /// <summary>
    /// Keys an account may create through the API and hold at once (keys from the settings do not count); one more
    /// create is answered 409. Two creates at the same moment may both pass the count, so an account can end one over.
    /// </summary>
    public int MaxKeysPerAccount { get; set; } = 20;

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

        if (MaxKeysPerAccount is < 1 or > 1000)
        {
            yield return $"{nameof(MaxKeysPerAccount)} must be between 1 and 1000.";
        }

        if (UsesKeyVault && (!Uri.TryCreate(VaultUri, UriKind.Absolute, out var vault) || vault.Scheme != Uri.UriSchemeHttps))
        {
            yield return "VaultUri is required with Store KeyVault: the vault's https URI, e.g. https://<vault>.vault.azure.net/.";
        }
    }
}
