namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// What the tests' own file servers (sshd, vsftpd) share: a temp root, a port, the test user's password, the process,
/// and the instance the running tests use. A folder's <see cref="LocalServerSetUp{TServer}"/> starts and stops it.
/// </summary>
public abstract class LocalFileServer<TSelf>
    where TSelf : LocalFileServer<TSelf>
{
    private static TSelf? _current;

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

        if (Root.Length > 0)
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Sets <see cref="Root"/> and <see cref="Port"/>, creates the users and starts the server.</summary>
    protected abstract Task<ServerProcess> StartServerAsync();
}

/// <summary>Runs a <typeparamref name="TServer"/> for every test in the derived set-up fixture's namespace.</summary>
public abstract class LocalServerSetUp<TServer>
    where TServer : LocalFileServer<TServer>, new()
{
    private readonly TServer _server = new();

    [OneTimeSetUp]
    public Task StartAsync() => _server.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => _server.StopAsync();
}
