using AudienceTrends.Core.Export;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Export;

public class DatabaseOptionsTests
{
    [Test]
    public void Defaults_are_valid_and_point_at_a_local_sqlite_file()
    {
        var options = Resolve([]);

        Assert.That(options.Provider, Is.EqualTo(DatabaseProvider.Sqlite));
        Assert.That(options.EffectiveConnectionString, Is.EqualTo("Data Source=.data/audiencetrends.db"));
        Assert.That(options.SeedDemoData, Is.False);
        Assert.That(options.AudienceChunkSize, Is.EqualTo(500));
        Assert.That(options.CommandTimeoutSeconds, Is.EqualTo(60));
    }

    [Test]
    public void Every_problem_is_listed_with_its_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Database:Provider"] = "SqlServer",
            ["Database:SeedDemoData"] = "true",
            ["Database:AudienceChunkSize"] = "2098", // one over: the account, first and last day go with each chunk
            ["Database:CommandTimeoutSeconds"] = "0",
        }));

        Assert.That(error.Failures, Is.EqualTo(new[]
        {
            "Database:ConnectionString is required when Provider is SqlServer.",
            "Database:SeedDemoData is only supported when Provider is Sqlite.",
            "Database:AudienceChunkSize must be between 1 and 2097 (SQL Server accepts at most 2100 parameters per statement).",
            "Database:CommandTimeoutSeconds must be between 1 and 3600.",
        }));
    }

    [Test]
    public void An_unparsable_connection_string_is_reported_without_echoing_it()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Database:Provider"] = "SqlServer",
            ["Database:ConnectionString"] = "Server=db;Password=hunter2;Flavour=strawberry",
            ["Database:AudienceChunkSize"] = "0",
        }));

        Assert.That(error.Failures, Is.EqualTo(new[]
        {
            "Database:ConnectionString is not a valid SqlServer connection string.",
            "Database:AudienceChunkSize must be between 1 and 2097 (SQL Server accepts at most 2100 parameters per statement).",
        }));
        Assert.That(error.Message, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void A_sql_server_configuration_resolves_the_source_without_connecting()
    {
        var config = Configuration(new()
        {
            ["Database:Provider"] = "SqlServer",
            ["Database:ConnectionString"] = "Server=127.0.0.1,1;Database=trends;User ID=app;Password=x;Encrypt=true",
            ["Database:AudienceChunkSize"] = "2097",
        });
        using var provider = new ServiceCollection().AddLogging().AddExport(config).BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.AudienceChunkSize, Is.EqualTo(2097));
        Assert.That(provider.GetRequiredService<IAudienceTrendSource>(), Is.InstanceOf<SqlAudienceTrendSource>());
        Assert.That(provider.GetRequiredService<TrendCsvWriter>(), Is.Not.Null);
    }

    private static DatabaseOptions Resolve(Dictionary<string, string?> values)
    {
        using var provider = new ServiceCollection().AddExport(Configuration(values)).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
