using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>Reads a private key given as text (OpenSSH or PEM, unencrypted) into what SSH.NET logs in with.</summary>
public static class SavedKeyText
{
    public static bool TryLoad(string text, out IPrivateKeySource? key)
    {
        try
        {
            // Settings sometimes carry the key with escaped line breaks; the key parser needs real ones.
            var normalized = text.Contains('\n', StringComparison.Ordinal) ? text : text.Replace("\\n", "\n", StringComparison.Ordinal);
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(normalized.Trim() + "\n"));
            key = new PrivateKeyFile(stream);
            return true;
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or ArgumentException or FormatException
                                      or InvalidOperationException or NotSupportedException
                                      or System.Security.Cryptography.CryptographicException)
        {
            key = null;
            return false;
        }
    }
}
