namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The saved key the examples name (<c>examples/sftp-saved-key.json</c>: <c>myKeyName</c> for <c>sftp.example.com</c>),
/// configured as an operator would, so the intake accepts that example, for the account the examples run as
/// (<see cref="TestAccounts.Demo"/>, <c>Sftp:SavedKeyAccounts:&lt;name&gt;</c>). A fresh key of the run's own.
/// </summary>
public static class ExampleSavedKey
{
    public const string Name = "myKeyName";
    public const string Host = "sftp.example.com";

    private static readonly Lazy<string> Key = new(Generate);

    /// <summary>The shortest name a saved key can have, also held for <see cref="Host"/>.</summary>
    public const string ShortestName = "k";

    /// <summary>
    /// The settings <c>Sftp:SavedKeys:&lt;name&gt;</c>, <c>Sftp:SavedKeyHosts:&lt;name&gt;</c> and
    /// <c>Sftp:SavedKeyAccounts:&lt;name&gt;</c> of both keys: usable by <see cref="TestAccounts.Demo"/> only.
    /// </summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        [$"Sftp:SavedKeys:{Name}"] = Key.Value,
        [$"Sftp:SavedKeyHosts:{Name}"] = Host,
        [$"Sftp:SavedKeyAccounts:{Name}"] = TestAccounts.Demo,
        [$"Sftp:SavedKeys:{ShortestName}"] = Key.Value,
        [$"Sftp:SavedKeyHosts:{ShortestName}"] = Host,
        [$"Sftp:SavedKeyAccounts:{ShortestName}"] = TestAccounts.Demo,
    };

    private static string Generate()
    {
        var root = Directory.CreateTempSubdirectory("example-key-").FullName;
        try
        {
            var file = Path.Combine(root, "id");
            TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
            return File.ReadAllText(file);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
