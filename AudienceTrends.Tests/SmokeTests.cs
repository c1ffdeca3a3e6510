using AudienceTrends.Core.Requests;

namespace AudienceTrends.Tests;

public class SmokeTests
{
    [Test]
    public void Destination_type_wire_names_round_trip()
    {
        foreach (var type in Enum.GetValues<DestinationType>())
        {
            Assert.That(DestinationTypeNames.TryParse(type.ToWireName().ToUpperInvariant(), out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(type));
        }
    }
}
