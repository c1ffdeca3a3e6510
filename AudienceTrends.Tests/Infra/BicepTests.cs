using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Infra;

/// <summary>
/// The Azure infrastructure under infra/ compiles and lints cleanly with the Bicep CLI restored from NuGet, azd's
/// parameters file matches main.bicep, and the function app gets every setting the app needs in Azure.
/// </summary>
[StartsProcesses] // the Bicep CLI
public partial class BicepTests
{
    /// <summary>
    /// Settings the app needs in Azure (see local.settings.sample.json). FUNCTIONS_WORKER_RUNTIME is not among them on
    /// purpose: Flex Consumption takes the runtime from functionAppConfig and rejects it as an app setting.
    /// </summary>
    private static readonly string[] RequiredAppSettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "SecretProtection__Key",
        "Database__Provider",
        "Database__ConnectionString",
        "Jobs__TableName",
        "Jobs__QueueName",
        "Webhooks__QueueName",
        "ManagedStorage__Container",
        "SftpKeys__Store",
        "SftpKeys__VaultUri",
        "SftpKeys__TableName",
        "Accounts__AccountsTableName",
        "Accounts__KeysTableName",
        "Accounts__LegacyAccount",
    ];

    /// <summary>Settings that must not be set: rejected by Flex Consumption, or a shared-key connection string.</summary>
    private static readonly string[] ForbiddenAppSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "AzureWebJobsStorage",
    ];

    private static readonly string InfraDirectory = RepositoryPaths.Combine("infra");

    private string _outputDirectory = "";

    public static IEnumerable<string> BicepFiles() =>
        Directory.EnumerateFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(InfraDirectory, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [OneTimeSetUp]
    public void CreateOutputDirectory()
    {
        _outputDirectory = Path.Combine(Path.GetTempPath(), "audiencetrends-bicep-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_outputDirectory);
    }

    [OneTimeTearDown]
    public void DeleteOutputDirectory() => Directory.Delete(_outputDirectory, recursive: true);

    [Test]
    public void Infra_folder_has_main_and_modules() =>
        Assert.That(BicepFiles(), Does.Contain("main.bicep").And.Contain("modules/function-app.bicep"));

    [TestCaseSource(nameof(BicepFiles))]
    public async Task Bicep_file_builds_without_warnings(string file)
    {
        var outputDirectory = Path.Combine(_outputDirectory, "build-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outputDirectory);

        var (exitCode, output) = await RunBicepAsync("build", Path.Combine(InfraDirectory, file), "--outdir", outputDirectory);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(Diagnostics(output), Is.Empty, output);
        Assert.That(Path.Combine(outputDirectory, Path.ChangeExtension(Path.GetFileName(file), ".json")), Does.Exist);
    }

    [TestCaseSource(nameof(BicepFiles))]
    public async Task Bicep_file_lints_without_warnings(string file)
    {
        var (exitCode, output) = await RunBicepAsync("lint", Path.Combine(InfraDirectory, file));

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(Diagnostics(output), Is.Empty, output);
    }

    [Test]
    public async Task Parameters_file_names_only_declared_parameters_and_every_required_one()
    {
        var template = await BuildMainTemplateAsync();
        var declared = template.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        using var parametersFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "main.parameters.json")));
        var given = parametersFile.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.That(given, Is.SubsetOf(declared.Keys), "main.parameters.json names a parameter main.bicep does not declare");
        var withoutDefault = declared.Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Key);
        Assert.That(withoutDefault, Is.SubsetOf(given), "azd would prompt for a parameter without default missing from main.parameters.json");
    }

    [Test]
    public async Task Function_app_module_sets_every_required_app_setting_and_none_forbidden()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "modules", "function-app.bicep"));
        var keys = ObjectKey().Matches(source).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);

        Assert.That(RequiredAppSettings.Where(name => !keys.Contains(name)), Is.Empty, "app settings missing from modules/function-app.bicep");
        Assert.That(ForbiddenAppSettings.Where(keys.Contains), Is.Empty, "app settings that must not be set");
    }

    [Test]
    public async Task Secret_settings_are_key_vault_references()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "modules", "function-app.bicep"));

        Assert.That(source, Does.Contain("'@Microsoft.KeyVault(SecretUri=${secretUri})'"));
        Assert.That(source, Does.Match(@"(?m)^\s*SecretProtection__Key:\s*keyVaultReference\("));
        Assert.That(source, Does.Match(@"(?m)^\s*keyVaultReferenceIdentity:\s*identityId\s*$"));
    }

    [Test]
    public async Task The_app_may_create_and_delete_secrets_only_in_the_sftp_keys_vault()
    {
        var roles = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "modules", "role-assignments.bicep"));
        var app = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "modules", "function-app.bicep"));
        var main = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "main.bicep"));
        var scopes = RoleAssignment().Matches(roles)
            .Select(m => (Role: m.Groups["role"].Value, Scope: m.Groups["scope"].Value)).ToList();

        // Built-in role ids: Key Vault Secrets Officer (create, read, list, delete, purge) and Secrets User (read).
        Assert.That(roles, Does.Contain("keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'"));
        Assert.That(roles, Does.Contain("keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'"));
        Assert.That(scopes.Where(s => s.Role == "keyVaultSecretsOfficer").Select(s => s.Scope), Is.EqualTo(new[] { "sftpKeysVault" }));
        Assert.That(scopes.Where(s => s.Role == "keyVaultSecretsUser").Select(s => s.Scope), Is.EqualTo(new[] { "vault" }));
        Assert.That(roles, Does.Match(@"resource sftpKeysVault 'Microsoft\.KeyVault/vaults@[^']+' existing = \{\s*name: sftpKeysVaultName\s*\}"));
        Assert.That(main, Does.Contain("sftpKeysVaultName: sftpKeysVault.outputs.name").And.Contain("sftpKeysVaultUri: sftpKeysVault.outputs.uri"));
        Assert.That(main, Does.Not.Contain("sftpKeysVaultName: keyVault."), "not the main vault");
        Assert.That(app, Does.Match(@"(?m)^\s*SftpKeys__Store:\s*'KeyVault'\s*$"));
        Assert.That(app, Does.Match(@"(?m)^\s*SftpKeys__VaultUri:\s*sftpKeysVaultUri\s*$"));
    }

    [Test]
    public async Task Azure_yaml_deploys_the_functions_project_and_generates_the_key_main_parameters_reads()
    {
        var azureYaml = await File.ReadAllTextAsync(RepositoryPaths.Combine("azure.yaml"));
        var parameters = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "main.parameters.json"));

        Assert.That(azureYaml, Does.Match(@"(?m)^  api:\n    project: \./AudienceTrends\.Functions\n    language: dotnet\n    host: function$"));
        Assert.That(RepositoryPaths.Combine("AudienceTrends.Functions", "AudienceTrends.Functions.csproj"), Does.Exist);
        Assert.That(azureYaml, Does.Contain("azd env set SECRET_PROTECTION_KEY \"$(openssl rand -base64 32)\""));
        Assert.That(azureYaml, Does.Contain("azd env set SECRET_PROTECTION_KEY $key"));
        Assert.That(parameters, Does.Contain("\"${SECRET_PROTECTION_KEY}\""));
    }

    private async Task<JsonElement> BuildMainTemplateAsync()
    {
        var outputDirectory = Path.Combine(_outputDirectory, "main-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outputDirectory);
        var (exitCode, output) = await RunBicepAsync("build", Path.Combine(InfraDirectory, "main.bicep"), "--outdir", outputDirectory);
        Assert.That(exitCode, Is.Zero, output);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outputDirectory, "main.json")));
        return document.RootElement.Clone();
    }

    /// <summary>Bicep exits 0 on warnings, so its output is read: any warning or error line is a failure.</summary>
    private static List<string> Diagnostics(string output) =>
        output.Split('\n').Where(line => DiagnosticLine().IsMatch(line)).ToList();

    private static async Task<(int ExitCode, string Output)> RunBicepAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(BicepExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string BicepExecutable()
    {
        var package = typeof(BicepTests).Assembly.GetCustomAttribute<BicepPathAttribute>()?.Path;
        Assert.That(package, Is.Not.Null.And.Not.Empty, "the Azure.Bicep.CommandLine.linux-x64 package path was not recorded at build");
        var path = Path.Combine(package!, "tools", "bicep");
        Assert.That(path, Does.Exist);

        // NuGet extracts packages without the execute bit on some machines.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }

        return path;
    }

    [GeneratedRegex(@"\b(warning|error)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DiagnosticLine();

    [GeneratedRegex(@"resource \w+ 'Microsoft\.Authorization/roleAssignments@[^']+' = \{\s*scope: (?<scope>\w+).*?roleDefinitions', roles\.(?<role>\w+)\)", RegexOptions.Singleline)]
    private static partial Regex RoleAssignment();

    [GeneratedRegex(@"^\s*'?(?<key>[A-Za-z_][A-Za-z0-9_]*)'?\s*:", RegexOptions.Multiline)]
    private static partial Regex ObjectKey();
}
