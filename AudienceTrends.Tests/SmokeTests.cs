using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests;

public class SmokeTests
{
    [Test]
    public void Destination_type_wire_names_round_trip()
    {
        var kinds = AppDestinationKinds.Instance;
        Assert.That(kinds.WireNames, Is.EqualTo(new[] { "aws", "ftp", "sftp", "s3", "gcs", "azureblob" }));
        foreach (var type in kinds.WireNames)
        {
            Assert.That(kinds.TryFind(type.ToUpperInvariant(), out var parsed), Is.True);
            Assert.That(parsed!.WireName, Is.EqualTo(type));
        }
    }
}
