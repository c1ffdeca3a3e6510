using System.Net;
using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A private OpenSSH sshd on 127.0.0.1 for the SFTP tests (never the system one): its own host key, a password
/// user and a key-only user whose homes live under a temp folder, internal-sftp only.
/// </summary>
public sealed class SshdServer : LocalFileServer<SshdServer>
{
    /// <summary>This run's password user (<c>atsftp_pw_</c> and a random suffix).</summary>
    public string PasswordUser { get; private set; } = "";

    /// <summary>This run's key-only user (<c>atsftp_key_</c> and a random suffix).</summary>
    public string KeyUser { get; private set; } = "";

    /// <summary>The key-only user's private key, as an operator would put it in Sftp:SavedKeys:&lt;name&gt;.</summary>
    public string UserPrivateKey { get; private set; } = "";

    /// <summary>As <c>ssh-keygen -lf -E sha256</c> prints it: <c>SHA256:...</c>.</summary>
    public string HostKeyFingerprint { get; private set; } = "";

    public string PasswordUserHome => Path.Combine(Root, "home-pw");

    public string KeyUserHome => Path.Combine(Root, "home-key");

    protected override async Task<ServerProcess> StartServerAsync()
    {
        Root = TestHost.CreateRoot("sshd-");
        PasswordUser = CreateUser("atsftp_pw", PasswordUserHome, "/usr/sbin/nologin", Password);
        KeyUser = CreateUser("atsftp_key", KeyUserHome, "/usr/sbin/nologin", password: null);

        var hostKey = Path.Combine(Root, "host_ed25519");
        TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        HostKeyFingerprint = TestHost.Run("ssh-keygen", ["-l", "-E", "sha256", "-f", hostKey + ".pub"]).Output.Split(' ')[1];

        var userKey = Path.Combine(Root, "user_ed25519");
        TestHost.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "audiencetrends-test", "-f", userKey]);
        UserPrivateKey = await File.ReadAllTextAsync(userKey);
        var authorized = Directory.CreateDirectory(Path.Combine(Root, "authorized")).FullName;
        File.Copy(userKey + ".pub", Path.Combine(authorized, KeyUser));

        Port = ServerProcess.FreeTcpPort();
        return await StartProcessAsync(Root, hostKey, authorized, [new IPEndPoint(IPAddress.Loopback, Port)], [PasswordUser, KeyUser]);
    }

    /// <summary>Lets the key-only user log in with one more public key (an <c>authorized_keys</c> line).</summary>
    public void AuthorizeKey(string publicKeyLine) =>
        File.AppendAllText(Path.Combine(Root, "authorized", KeyUser), "\n" + publicKeyLine + "\n");

    /// <summary>
    /// Starts an sshd serving internal-sftp only, for <paramref name="users"/> (password or key, keys taken from
    /// <c>authorizedKeys/&lt;user&gt;</c>), listening on every endpoint; the SFTP tests' server and the examples' use it.
    /// </summary>
    public static async Task<ServerProcess> StartProcessAsync(
        string root, string hostKey, string authorizedKeys, IReadOnlyList<IPEndPoint> listen, IReadOnlyList<string> users)
    {
        var config = Path.Combine(root, "sshd_config");
        var listenLines = string.Join('\n', listen.Select(endpoint => $"ListenAddress {endpoint}"));
        await File.WriteAllTextAsync(config, $"""
            {listenLines}
            HostKey {hostKey}
            PidFile {Path.Combine(root, "sshd.pid")}
            AuthorizedKeysFile {authorizedKeys}/%u
            StrictModes no
            UsePAM no
            PasswordAuthentication yes
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin no
            AllowUsers {string.Join(' ', users)}
            Subsystem sftp internal-sftp
            Match User {string.Join(',', users)}
                ForceCommand internal-sftp
            """);

        Directory.CreateDirectory("/run/sshd");
        var last = listen[^1];
        var (process, _) = await ServerProcess.StartAsync(
            "/usr/sbin/sshd", ["-D", "-e", "-f", config], new Regex($@"Server listening on {Regex.Escape(last.Address.ToString())} port {last.Port}\b"));
        return process;
    }

}
