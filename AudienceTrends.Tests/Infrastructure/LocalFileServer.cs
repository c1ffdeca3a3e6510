namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// What the tests' own file servers (sshd, vsftpd) share: a temp root, a port, the test users (this run's own, see
/// <see cref="RunUsers"/>) and their password, the process, and the instance the running tests use. A folder's
/// <see cref="LocalServerSetUp{TServer}"/> starts and stops it.
/// </summary>
public abstract class LocalFileServer<TSelf>
    where TSelf : LocalFileServer<TSelf>
{
    private static TSelf? _current;

    private readonly List<string> _users = [];

    public static TSelf Current => _current ?? throw new InvalidOperationException($"{typeof(TSelf).Name} is not running.");

    public string Root { get; protected set; } = "";

    public int Port { get; protected set; }

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");

    protected ServerProcess? Process { get; private set; }

    public async Task StartAsync()
    {
        Process = await StartServerAsync();
        _current = (TSelf)this;
    }

    public async Task StopAsync()
    {
        _current = null;
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        foreach (var user in _users)
        {
            RunUsers.Delete(user);
        }

        _users.Clear();

        if (Root.Length > 0)
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Sets <see cref="Root"/> and <see cref="Port"/>, creates the users and starts the server.</summary>
    protected abstract Task<ServerProcess> StartServerAsync();

    /// <summary>A new account of this run whose home is <paramref name="home"/> (in <see cref="Root"/>), removed by <see cref="StopAsync"/>.</summary>
    protected string CreateUser(string prefix, string home, string shell, string? password)
    {
        var name = RunUsers.Create(prefix, home, shell, password);
        _users.Add(name);
        return name;
    }
}

/// <summary>
/// Runs a <typeparamref name="TServer"/> for every test in the derived set-up fixture's namespace, which is therefore
/// in the <c>Processes</c> category (left out of <c>scripts/test.sh --fast</c>).
/// </summary>
[StartsProcesses]
public abstract class LocalServerSetUp<TServer>
    where TServer : LocalFileServer<TServer>, new()
{
    private readonly TServer _server = new();

    [OneTimeSetUp]
    public Task StartAsync() => _server.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _server.StopAsync();
}
