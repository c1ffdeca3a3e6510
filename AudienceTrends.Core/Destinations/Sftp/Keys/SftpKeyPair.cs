using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Utilities;
using Org.BouncyCastle.Security;
using Renci.SshNet;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// An SSH key pair the service holds: the public half as one OpenSSH <c>authorized_keys</c> line with its
/// fingerprint (what customers see), the private half as unencrypted OpenSSH private key text (what only the store and
/// the login see). Generated pairs are Ed25519, made by BouncyCastle (the library SSH.NET itself builds on).
/// </summary>
public sealed class SftpKeyPair
{
    private const string PemLabel = "OPENSSH PRIVATE KEY";

    private SftpKeyPair(string publicKey, string fingerprint, string privateKey)
    {
        PublicKey = publicKey;
        Fingerprint = fingerprint;
        PrivateKey = privateKey;
    }

    /// <summary><c>ssh-ed25519 AAAA... audiencetrends:&lt;name&gt;</c>.</summary>
    public string PublicKey { get; }

    /// <summary><c>SHA256:</c> and the unpadded base64 of the public key blob's SHA-256, as <c>ssh-keygen -lf</c> prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>The private key as OpenSSH private key text; never logged, returned or stored in clear.</summary>
    public string PrivateKey { get; }

    /// <summary>The comment of a key's public line: the service and the key's name.</summary>
    public static string Comment(string name) => $"audiencetrends:{name}";

    public static SftpKeyPair Generate(string name)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var blob = OpenSshPublicKeyUtilities.EncodePublicKey(pair.Public);
        var privateKey = Pem(OpenSshPrivateKeyUtilities.EncodePrivateKey(pair.Private));
        return new SftpKeyPair(PublicLine("ssh-ed25519", blob, name), FingerprintOf(blob), privateKey);
    }

    /// <summary>The public line and fingerprint of a private key given as text (a key from the settings); null when unreadable.</summary>
    public static (string PublicKey, string Fingerprint)? Describe(string name, string privateKeyText)
    {
        if (!SavedKeyText.TryLoad(privateKeyText, out var source) || source is not PrivateKeyFile file)
        {
            return null;
        }

        // The plain key type (ssh-rsa, not its rsa-sha2-* signature variants) names the public key blob.
        var type = file.Key.ToString() ?? "";
        var algorithm = file.HostKeyAlgorithms.FirstOrDefault(a => a.Name == type);
        return algorithm is null ? null : (PublicLine(type, algorithm.Data, name), FingerprintOf(algorithm.Data));
    }

    private static string PublicLine(string type, byte[] blob, string name) =>
        $"{type} {Convert.ToBase64String(blob)} {Comment(name)}";

    private static string FingerprintOf(byte[] blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    private static string Pem(byte[] der)
    {
        var text = new StringBuilder().Append("-----BEGIN ").Append(PemLabel).Append("-----\n");
        var base64 = Convert.ToBase64String(der);
        for (var i = 0; i < base64.Length; i += 70)
        {
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        }

        CryptographicOperations.ZeroMemory(der);
        return text.Append("-----END ").Append(PemLabel).Append("-----\n").ToString();
    }

    /// <summary>Never prints the private key.</summary>
    public override string ToString() => $"{nameof(SftpKeyPair)} {{ {PublicKey} }}";
}
