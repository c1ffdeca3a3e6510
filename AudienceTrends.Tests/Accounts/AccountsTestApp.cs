using System.Net;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// The app (in-process host, real DI, Azurite) with account and key tables of the test's own, a fake clock, and the
/// log lines it wrote; deletes its tables when disposed.
/// </summary>
public sealed class AccountsTestApp : IAsyncDisposable
{
    private AccountsTestApp(InProcessFunctionsHost host, CapturingLoggerProvider logs, FakeTimeProvider time, Dictionary<string, string?> settings)
    {
        Host = host;
        Logs = logs;
        Time = time;
        Settings = settings;
    }

    public InProcessFunctionsHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    public FakeTimeProvider Time { get; }

    public Dictionary<string, string?> Settings { get; }

    public AccountsAdmin Admin => Host.Services.GetRequiredService<AccountsAdmin>();

    public ApiKeyAuthenticator Authenticator => Host.Services.GetRequiredService<ApiKeyAuthenticator>();

    public static async Task<AccountsTestApp> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = await TestApp.SettingsAsync();
        settings["Accounts:AccountsTableName"] = "accounts" + Guid.NewGuid().ToString("N")[..12];
        settings["Accounts:KeysTableName"] = "apikeys" + Guid.NewGuid().ToString("N")[..12];
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        var (host, logs) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        return new AccountsTestApp(host, logs, time, settings);
    }

    public static string NewAccountId() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    public TableClient AccountsTable() => Table("Accounts:AccountsTableName");

    public TableClient KeysTable() => Table("Accounts:KeysTableName");

    public async Task<AccountId> CreateAccountAsync(string? id = null)
    {
        var account = await Admin.CreateAccountAsync(new AccountRequest(AccountId.Parse(id ?? NewAccountId()), "Test account"), CancellationToken.None);
        Assert.That(account, Is.Not.Null);
        return account!.Id;
    }

    public async Task<CreatedApiKey> CreateKeyAsync(AccountId account, DateTimeOffset? expires = null, params string[] networks)
    {
        var parsed = networks.Select(n => ClientNetworks.TryParse(n, out var network) ? network : throw new ArgumentException(n)).ToList();
        var (key, change) = await Admin.CreateKeyAsync(account.Value, new ApiKeyRequest("test key", expires, parsed), CancellationToken.None);
        Assert.That(change, Is.EqualTo(KeyChange.Done));
        return key!;
    }

    public async Task<AccountId?> AuthenticateAsync(string? authorization, string? client = null) =>
        (await Authenticator.AuthenticateAsync(authorization, client is null ? null : IPAddress.Parse(client), CancellationToken.None)).Account;

    public async ValueTask DisposeAsync()
    {
        await AccountsTable().DeleteAsync();
        await KeysTable().DeleteAsync();
        await Host.DisposeAsync();
    }

    private TableClient Table(string setting) =>
        Host.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(Settings[setting]);
}
