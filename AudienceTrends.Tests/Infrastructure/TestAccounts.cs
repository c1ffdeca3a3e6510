using System.Net.Http.Headers;
using System.Text;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// The two accounts every app under test has, each with one API key: <see cref="Demo"/>, which owns the demo
/// audiences and whose key the hosts' default client sends, and <see cref="Other"/>, a second customer the
/// cross-account tests attack with. They are created through the app's own <see cref="AccountsAdmin"/> in the
/// test's own account tables (see <see cref="Integration.TestApp.SettingsAsync"/>), whichever host runs the app.
/// </summary>
public static class TestAccounts
{
    public const string Demo = "demo";
    public const string Other = "globex";

    /// <summary>Who owns rows written before accounts existed, in tests: neither of the two, unless a test says so.</summary>
    public const string LegacyOwner = "legacy-owner";

    public static readonly AccountId DemoId = AccountId.Parse(Demo);

    public static readonly AccountId OtherId = AccountId.Parse(Other);

    public static readonly AccountId LegacyOwnerId = AccountId.Parse(LegacyOwner);

    public static async Task<TestKeys> ProvisionAsync(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddStorage(configuration);
        services.AddAccounts(configuration);
        await using var provider = services.BuildServiceProvider();
        var admin = provider.GetRequiredService<AccountsAdmin>();
        return new TestKeys(await CreateAsync(admin, Demo), await CreateAsync(admin, Other));
    }

    /// <summary><c>Authorization: Basic base64(key:)</c>, as the reference API's clients send a key.</summary>
    public static AuthenticationHeaderValue Basic(string key) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));

    /// <summary>A client of <paramref name="handler"/> at <paramref name="baseAddress"/> sending <paramref name="key"/> (none when null).</summary>
    public static HttpClient Client(HttpMessageHandler handler, Uri baseAddress, string? key)
    {
        var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = Basic(key);
        }

        return client;
    }

    private static async Task<string> CreateAsync(AccountsAdmin admin, string id)
    {
        if (await admin.GetAccountAsync(id, CancellationToken.None) is null)
        {
            await admin.CreateAccountAsync(new AccountRequest(AccountId.Parse(id), $"Test account {id}"), CancellationToken.None);
        }

        var (key, change) = await admin.CreateKeyAsync(id, new ApiKeyRequest("tests", null, []), CancellationToken.None);
        return change == KeyChange.Done ? key!.Key : throw new InvalidOperationException($"Could not create a key for test account {id}: {change}");
    }
}

/// <summary>The API keys of <see cref="TestAccounts.Demo"/> and <see cref="TestAccounts.Other"/>.</summary>
public sealed record TestKeys(string Demo, string Other)
{
    public override string ToString() => "TestKeys";
}
