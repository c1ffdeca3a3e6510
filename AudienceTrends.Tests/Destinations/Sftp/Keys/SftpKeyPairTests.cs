using AudienceTrends.Core.Destinations.Sftp.Keys;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>Generated pairs are what OpenSSH's own tools read and print.</summary>
public sealed class SftpKeyPairTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("sftpkeypair-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_generated_pair_is_one_ed25519_line_whose_fingerprint_ssh_keygen_prints()
    {
        var pair = SftpKeyPair.Generate("partner-1");

        var parts = pair.PublicKey.Split(' ');
        Assert.That(parts, Has.Length.EqualTo(3));
        Assert.That(parts[0], Is.EqualTo("ssh-ed25519"));
        Assert.That(parts[2], Is.EqualTo("audiencetrends:partner-1"));
        Assert.That(pair.Fingerprint, Is.EqualTo(KeygenFingerprint(pair.PublicKey)));
    }

    [Test]
    public void The_private_key_is_openssh_text_that_ssh_keygen_derives_the_same_public_key_from()
    {
        var pair = SftpKeyPair.Generate("k");
        var file = Path.Combine(_folder, "id");
        File.WriteAllText(file, pair.PrivateKey);
        TestHost.Run("chmod", ["600", file]);

        var derived = TestHost.Run("ssh-keygen", ["-y", "-f", file]).Output.Trim().Split(' ');

        Assert.That(pair.PrivateKey, Does.StartWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        Assert.That($"{derived[0]} {derived[1]}", Is.EqualTo(string.Join(' ', pair.PublicKey.Split(' ')[..2])));
        Assert.That(SavedKeyText.TryLoad(pair.PrivateKey, out var loaded) && loaded is not null, Is.True, "SSH.NET reads it");
        Assert.That(pair.ToString(), Does.Not.Contain("PRIVATE"));
    }

    [TestCase("ed25519")]
    [TestCase("rsa")]
    [TestCase("ecdsa")]
    public void A_settings_key_is_described_with_the_public_key_and_fingerprint_ssh_keygen_gives(string type)
    {
        var file = Path.Combine(_folder, "id_" + type);
        TestHost.Run("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", file]);

        var described = SftpKeyPair.Describe("ops-key", File.ReadAllText(file));

        var expected = File.ReadAllText(file + ".pub").Split(' ');
        Assert.That(described, Is.Not.Null);
        Assert.That(described!.Value.PublicKey, Is.EqualTo($"{expected[0]} {expected[1]} audiencetrends:ops-key"));
        Assert.That(described.Value.Fingerprint, Is.EqualTo(KeygenFingerprint(described.Value.PublicKey)));
    }

    private string KeygenFingerprint(string publicKeyLine)
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".pub");
        File.WriteAllText(file, publicKeyLine + "\n");
        // "256 SHA256:... comment (ED25519)"
        return TestHost.Run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]).Output.Split(' ')[1];
    }
}
