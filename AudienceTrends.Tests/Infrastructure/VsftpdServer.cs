using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A private vsftpd on 127.0.0.1 for the FTP tests: plain FTP, passive ports in a small free range, one password
/// user (with /bin/bash: Debian's PAM config refuses users whose shell is not listed) whose home is a temp folder.
/// </summary>
public sealed class VsftpdServer : LocalFileServer<VsftpdServer>
{
    /// <summary>This run's user (<c>atftp_user_</c> and a random suffix).</summary>
    public string User { get; private set; } = "";

    public string Home => Path.Combine(Root, "home");

    protected override async Task<ServerProcess> StartServerAsync()
    {
        Root = TestHost.CreateRoot("vsftpd-");
        User = CreateUser("atftp_user", Home, "/bin/bash", Password);

        Port = ServerProcess.FreeTcpPort();
        var passive = FreePortRange(8);
        return await StartProcessAsync(Root, IPAddress.Loopback, Port, passive, passive + 7);
    }

    /// <summary>
    /// Starts a plain-FTP vsftpd for local users on <paramref name="address"/>:<paramref name="port"/>, passive only,
    /// in the foreground; the FTP tests' server and the examples' use it.
    /// </summary>
    public static async Task<ServerProcess> StartProcessAsync(string root, IPAddress address, int port, int passiveMin, int passiveMax)
    {
        var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        var config = Path.Combine(root, "vsftpd.conf");
        await File.WriteAllTextAsync(config, $"""
            listen=YES
            listen_ipv6=NO
            listen_address={address}
            listen_port={port}
            background=NO
            anonymous_enable=NO
            local_enable=YES
            write_enable=YES
            local_umask=022
            pasv_enable=YES
            pasv_address={address}
            pasv_min_port={passiveMin}
            pasv_max_port={passiveMax}
            port_enable=NO
            chroot_local_user=NO
            pam_service_name=vsftpd
            secure_chroot_dir={empty}
            seccomp_sandbox=NO
            xferlog_enable=NO
            ssl_enable=NO

            """);

        // vsftpd says nothing when it is ready: the shell prints a line, then becomes vsftpd (same process).
        var (process, _) = await ServerProcess.StartAsync(
            "/bin/sh", ["-c", "echo starting; exec /usr/sbin/vsftpd \"$0\"", config], new Regex("^starting$"));
        await ServerProcess.WaitForTcpAsync(new IPEndPoint(address, port), TimeSpan.FromSeconds(10));
        if (process.HasExited)
        {
            throw new InvalidOperationException($"vsftpd stopped:\n{process.Output}");
        }

        return process;
    }

    /// <summary>
    /// Kills the FTP sessions (the listener's child processes and theirs) that have <paramref name="file"/> open, as a
    /// crashing server would, and leaves the listener and the other sessions (other tests') running. Returns how many
    /// sessions were killed.
    /// </summary>
    public int DropSessionsWriting(string file)
    {
        var sessions = ChildrenOf(Process!.Id).Where(session => HasOpen(session, file)).ToList();
        var killed = 0;
        foreach (var pid in sessions)
        {
            try
            {
                using var session = System.Diagnostics.Process.GetProcessById(pid);
                session.Kill(entireProcessTree: true);
                session.WaitForExit();
                killed++;
            }
            catch (ArgumentException)
            {
                // That session ended by itself in the meantime.
            }
        }

        return killed;
    }

    private static List<int> ChildrenOf(int pid) =>
        Directory.Exists($"/proc/{pid}/task")
            ? Directory.GetDirectories($"/proc/{pid}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)
                .ToList()
            : [];

    /// <summary>Whether <paramref name="pid"/> or one of its descendants has <paramref name="file"/> open.</summary>
    private static bool HasOpen(int pid, string file)
    {
        try
        {
            var open = Directory.GetFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == file);
            return open || ChildrenOf(pid).Any(child => HasOpen(child, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // ended in the meantime
        }
    }

    /// <summary>The first of <paramref name="count"/> consecutive ports free on 127.0.0.1 right now.</summary>
    private static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = ServerProcess.FreeTcpPort();
            if (first + count > IPEndPoint.MaxPort)
            {
                continue;
            }

            var listeners = new List<TcpListener>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
                // Taken: try another start.
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException("No free range of passive ports.");
    }
}
