using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// <c>POST /v2/destinations/test</c> for the file-server kinds (SFTP, FTP) against their real servers, checking the
/// server's disk afterwards. Each kind's fixture (in its own folder, where its server runs) says how to reach it.
/// </summary>
public abstract class FileServerProbeTests
{
    protected abstract string Type { get; }

    protected abstract int ServerPort { get; }

    protected abstract string User { get; }

    protected abstract string Password { get; }

    /// <summary>The user's login folder on disk.</summary>
    protected abstract string Home { get; }

    /// <summary>Every step a passing test runs, in order.</summary>
    protected abstract string[] AllSteps { get; }

    /// <summary>The kind's steps that reach the server: resolve (through the network guard), connect.</summary>
    protected static string[] NetworkSteps { get; } = ["resolve", "connect"];

    /// <summary>Connections the probe opens before the one that logs in.</summary>
    protected virtual int ConnectionsBeforeLogin => 1;

    [Test]
    public async Task The_login_folder_passes_every_step_and_no_file_is_left()
    {
        var answer = await DestinationTestCall.PostAsync(Destination(path: "/"), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("write"), Does.Contain(".audiencetrends-probe-"));
        Assert.That(TestHost.FileNames(Home).Where(IsProbeFile), Is.Empty, "no probe file is left in the login folder");
    }

    [Test]
    public async Task A_missing_folder_is_created_as_an_export_would_and_removed_again()
    {
        var folder = "probe-" + Unique();

        var answer = await DestinationTestCall.PostAsync(Destination(path: folder + "/daily"), await SettingsAsync());

        answer.AssertSteps(ok: true, AllSteps);
        Assert.That(answer.Detail("write"), Does.Contain(folder + "/daily"));
        Assert.That(Directory.Exists(Path.Combine(Home, folder)), Is.False, "the folders the test created are gone");
    }

    [Test]
    public async Task A_wrong_password_stops_at_authenticate_without_showing_it()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        var answer = await DestinationTestCall.PostAsync(Destination(path: "/", password: wrong), await SettingsAsync());

        answer.AssertSteps(ok: false, [.. AllSteps.TakeWhile(s => s != "authenticate"), "authenticate"]);
        Assert.That(answer.LastDetail, Does.Contain("refused the user name or password"));
        answer.AssertNeverShows(wrong);
    }

    [Test]
    public async Task A_folder_the_user_may_not_create_stops_at_write_naming_it()
    {
        // Created by the tests' root user: the server's user may not create anything inside it.
        var locked = "locked-" + Unique();
        Directory.CreateDirectory(Path.Combine(Home, locked));

        var answer = await DestinationTestCall.PostAsync(Destination(path: locked + "/reports"), await SettingsAsync());

        answer.AssertSteps(ok: false, [.. AllSteps.TakeWhile(s => s != "write"), "write"]);
        Assert.That(answer.LastDetail, Does.Contain(locked + "/reports"));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Home, locked)), Is.Empty, "nothing was left in the folder");
    }

    [Test]
    public async Task A_host_outside_the_network_guard_stops_at_resolve()
    {
        var settings = await SettingsAsync();
        settings.Remove("NetworkGuard:AllowedNetworks:0");

        var answer = await DestinationTestCall.PostAsync(Destination(path: "/"), settings);

        answer.AssertSteps(ok: false, "resolve");
        Assert.That(answer.LastDetail, Does.Contain("no usable address").And.Contain("NetworkGuard:AllowedNetworks"));
    }

    [Test]
    public async Task A_name_that_does_not_exist_and_an_internal_name_get_the_same_answer()
    {
        const string Name = "files.corp.example";
        var destination = Destination(path: "/");
        destination["server"] = Name;

        var missing = await DestinationTestCall.PostAsync(destination, await SettingsAsync(),
            services => services.AddSingleton<IHostResolver>(new NoSuchNameResolver()));
        var internalName = await DestinationTestCall.PostAsync(destination, await SettingsAsync(),
            services => services.AddSingleton<IHostResolver>(new FixedResolver(IPAddress.Parse("10.20.30.40"))));

        missing.AssertSteps(ok: false, "resolve");
        internalName.AssertSteps(ok: false, "resolve");
        Assert.That(missing.LastDetail, Is.EqualTo(internalName.LastDetail), "the test does not say which internal names exist");
        Assert.That(missing.LastDetail, Is.EqualTo($"{Name} {DestinationTester.NoUsableAddress}"));
        Assert.That(internalName.Text, Does.Not.Contain("10.20.30.40"));
    }

    [Test]
    public async Task A_port_that_accepts_and_never_answers_stops_at_connect_with_a_timeout()
    {
        await using var silent = new SilentListener();
        var settings = await SettingsAsync();
        ShortTimeouts(settings);

        var answer = await DestinationTestCall.PostAsync(Destination(path: "/", port: silent.Port), settings);

        answer.AssertSteps(ok: false, NetworkSteps);
        Assert.That(answer.LastDetail, Does.Contain("No answer within 00:00:01"));
    }

    [Test]
    public async Task A_server_that_stops_answering_after_its_greeting_stops_the_next_step_with_a_timeout()
    {
        // The connect step's own connection only reads the greeting; the login's connection stalls once it sends.
        await using var proxy = new CuttingTcpProxy(ServerPort, cutAfterBytes: 1, connectionsToCut: ConnectionsBeforeLogin + 1, CuttingTcpProxy.CutMode.Stall);
        var settings = await SettingsAsync();
        ShortTimeouts(settings);

        var answer = await DestinationTestCall.PostAsync(Destination(path: "/", port: proxy.Port), settings);

        var next = AllSteps[NetworkSteps.Length];
        answer.AssertSteps(ok: false, [.. NetworkSteps, next]);
        Assert.That(answer.LastDetail, Does.Contain("within 00:00:01"));
    }

    /// <summary>Sets the kind's connect timeout to one second and its operation timeout to two.</summary>
    protected abstract void ShortTimeouts(IDictionary<string, string?> settings);

    protected virtual async Task<Dictionary<string, string?>> SettingsAsync() => await TestApp.SettingsAsync();

    protected JsonObject Destination(string? path, string? password = null, int? port = null) => new()
    {
        ["type"] = Type,
        ["server"] = "127.0.0.1",
        ["port"] = port ?? ServerPort,
        ["username"] = User,
        ["password"] = password ?? Password,
        ["path"] = path,
    };

    protected static string Unique() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>DNS answering "no such name", as <see cref="System.Net.Dns"/> reports it: a HostNotFound socket error.</summary>
    private sealed class NoSuchNameResolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    private sealed class FixedResolver(IPAddress address) : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(new[] { address });
    }

    private static bool IsProbeFile(string name) => name.StartsWith(".audiencetrends-probe-", StringComparison.Ordinal);
}
