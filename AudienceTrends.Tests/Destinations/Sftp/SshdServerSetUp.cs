using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Sftp;

/// <summary>Runs the tests' own SshdServer for every test in this folder.</summary>
[SetUpFixture]
public sealed class SshdServerSetUp : LocalServerSetUp<SshdServer>;
