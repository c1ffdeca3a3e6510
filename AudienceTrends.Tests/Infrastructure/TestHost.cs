using System.Diagnostics;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>Shared by the SFTP and FTP server fixtures: local users, commands, and destinations built as the app builds them.</summary>
internal static class TestHost
{
    /// <summary>The app's destination of <paramref name="type"/>, registered through AddDestinations with these settings.</summary>
    public static (IExportDestination Destination, ServiceProvider Provider) Destination(
        string type, IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The run's Azurite: an unknown saved SFTP key is looked up in the keys' table.
                ["AzureWebJobsStorage"] = Azurite.InstanceAsync().GetAwaiter().GetResult().ConnectionString,
            })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddStorage(configuration);
        // What the saved SFTP keys' table store encrypts with (the app registers it with the jobs).
        services.AddSingleton(new SecretProtector(Options.Create(new SecretProtectionOptions { Key = Integration.TestApp.EncryptionKey })));
        services.AddDestinations(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return (provider.GetRequiredService<DestinationKinds>().DeliveryFor(type), provider);
    }

    /// <summary>Creates or re-homes a local account for a test server (the tests run as root, here and in CI).</summary>
    public static void EnsureUser(string name, string home, string shell, string? password)
    {
        var exists = Run("id", ["-u", name], throwOnError: false).ExitCode == 0;
        if (exists)
        {
            Run("usermod", ["-d", home, "-s", shell, name]);
        }
        else
        {
            Run("useradd", ["-M", "-d", home, "-s", shell, name]);
        }

        Directory.CreateDirectory(home);
        Run("chown", [$"{name}:", home]);
        if (password is null)
        {
            Run("usermod", ["-p", "*", name]);
        }
        else
        {
            Run("chpasswd", [], stdin: $"{name}:{password}\n");
        }
    }

    /// <summary>A fresh temp folder that other users can traverse (CreateTempSubdirectory makes it 0700).</summary>
    public static string CreateRoot(string prefix)
    {
        var root = Directory.CreateTempSubdirectory(prefix).FullName;
        Run("chmod", ["755", root]);
        return root;
    }

    public static (int ExitCode, string Output) Run(
        string file, IEnumerable<string> arguments, string? stdin = null, bool throwOnError = true)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var text = output.Result + error.Result;
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {text}");
        }

        return (process.ExitCode, text);
    }

    /// <summary>Names in <paramref name="folder"/>, hidden ones included, so a leftover temporary file shows.</summary>
    public static string[] FileNames(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    public static string Sha256Of(string file) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
}
