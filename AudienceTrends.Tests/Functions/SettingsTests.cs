using System.Reflection;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// Every setting the app reads is in local.settings.sample.json with a value that works, is documented in the
/// README, and a wrong one stops the app at start-up with a message naming it.
/// </summary>
public sealed class SettingsTests
{
    private static readonly Dictionary<string, string?> Sample =
        JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.sample.json")))!["Values"]!.AsObject()
            .ToDictionary(v => v.Key, v => v.Value?.GetValue<string>());

    /// <summary>Settings that are per-deployment lists or maps: documented with an example name, not in the sample.</summary>
    private static readonly string[] Maps = ["Sftp__SavedKeys", "Sftp__SavedKeyHosts", "Sftp__SavedKeyAccounts"];

    /// <summary>Every options class's settings, as <c>Section__Property</c>: what the app reads.</summary>
    public static IEnumerable<string> AppSettings() =>
        typeof(StorageOptions).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t != typeof(StorageOptions))
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string))
            .Where(t => t.Section is not null)
            .SelectMany(t => t.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .Select(p => $"{t.Section}__{p.Name}"))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(AppSettings))]
    public void The_sample_lists_the_setting(string setting)
    {
        if (Maps.Contains(setting))
        {
            Assert.Pass("A map of named entries; the README documents it.");
        }

        Assert.That(Sample.Keys.Any(k => k == setting || k.StartsWith(setting + "__", StringComparison.Ordinal)), Is.True,
            $"local.settings.sample.json has no {setting}");
    }

    [Test]
    public void The_readme_documents_every_setting_of_the_sample_and_every_map()
    {
        var readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));
        var missing = Sample.Keys.Select(k => System.Text.RegularExpressions.Regex.Replace(k, @"__\d+$", ""))
            .Concat(Maps)
            .Where(k => k != "FUNCTIONS_WORKER_RUNTIME" && !readme.Contains($"`{k}", StringComparison.Ordinal))
            .ToList();
        Assert.That(missing, Is.Empty, "settings the README's configuration reference does not mention");
    }

    [Test]
    public async Task The_app_starts_with_exactly_the_sample_settings()
    {
        var settings = Sample.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => s.Value);

        // The sample's storage is Azurite's default ports, not this run's: the test accounts go to the run's Azurite.
        await using var host = await InProcessFunctionsHost.StartAsync(settings, accountsSettings: await Integration.TestApp.SettingsAsync());

        Assert.That(host.Services, Is.Not.Null, "every options class validated at start-up");
    }

    [Test]
    public async Task A_wrong_or_missing_setting_stops_the_app_at_start_naming_it()
    {
        var settings = Sample.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => s.Value);
        settings.Remove("SecretProtection:Key");
        settings["Intake:MaxAudiences"] = "0";
        settings["Database:AudienceChunkSize"] = "5000";
        settings["AzureWebJobsStorage"] = "";

        var failure = await Assert.CatchAsync(async () => await (await InProcessFunctionsHost.StartAsync(settings)).DisposeAsync());

        var messages = failure is AggregateException all
            ? string.Join("\n", all.Flatten().InnerExceptions.Select(e => e.Message))
            : failure!.Message;
        Assert.That(messages, Does.Contain("SecretProtection:Key")
            .And.Contain("Intake:MaxAudiences")
            .And.Contain("Database:AudienceChunkSize")
            .And.Contain("AzureWebJobsStorage"));
        Assert.That(failure, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<AggregateException>());
    }
}
