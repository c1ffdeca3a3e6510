using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests;

public class SmokeTests
{
    [Test]
    public void Every_registered_kind_has_one_lower_case_wire_name_that_round_trips_in_any_case()
    {
        var kinds = AppDestinationKinds.Instance;
        Assert.That(kinds.All.Select(k => k.WireName), Is.EqualTo(kinds.WireNames).And.Unique.And.Not.Empty);
        foreach (var kind in kinds.All)
        {
            Assert.That(kind.WireName, Is.EqualTo(kind.WireName.ToLowerInvariant()));
            Assert.That(kinds.TryFind(kind.WireName.ToUpperInvariant(), out var parsed), Is.True);
            Assert.That(parsed, Is.SameAs(kind.Kind));
        }
    }

    [Test]
    public void The_openapi_document_names_exactly_the_registered_kinds()
    {
        var document = Api.OpenApiDocument.Load();
        var jobView = document.Resolve(document.Root["components"]!["schemas"]!["JobView"]!);
        var documented = jobView["properties"]!["destination"]!["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());

        Assert.That(documented, Is.EquivalentTo(AppDestinationKinds.Instance.WireNames));
    }
}
