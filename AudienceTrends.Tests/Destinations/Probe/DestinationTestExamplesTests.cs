using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Api;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>The bodies in <c>examples/destination-test/</c>: one per destination type, valid, and documented in openapi.yaml as they are.</summary>
public class DestinationTestExamplesTests
{
    private static readonly string Folder = RepositoryPaths.Combine("examples", "destination-test");

    [Test]
    public void There_is_one_valid_body_per_destination_type()
    {
        var parser = new ExportRequestParser(Options.Create(new IntakeOptions()), AppDestinationKinds.Instance);
        var types = new List<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.json"))
        {
            var (destination, errors) = parser.ParseDestination(Encoding.UTF8.GetBytes(File.ReadAllText(file)));
            Assert.That(destination, Is.Not.Null, $"{file}: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(' ', e.Value)}"))}");
            Assert.That(Path.GetFileNameWithoutExtension(file), Is.EqualTo(destination!.Settings.Type), "each file is named after its type");
            types.Add(destination.Settings.Type);
        }

        Assert.That(types, Is.EquivalentTo(AppDestinationKinds.Instance.WireNames));
    }

    [Test]
    public void The_documented_examples_are_the_files()
    {
        var examples = OpenApiDocument.Load().Operation("POST", "/v2/destinations/test")
            .Node["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        var files = Directory.GetFiles(Folder, "*.json")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => JsonNode.Parse(File.ReadAllText(f)));

        Assert.That(examples.Select(e => e.Key), Is.EquivalentTo(files.Keys));
        Assert.Multiple(() =>
        {
            foreach (var (name, example) in examples)
            {
                Assert.That(JsonNode.DeepEquals(example!["value"], files[name]), Is.True, $"example {name} differs from examples/destination-test/{name}.json");
            }
        });
    }
}
