using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>Runs the tests' own VsftpdServer for every test in this folder.</summary>
[SetUpFixture]
public sealed class VsftpdServerSetUp : LocalServerSetUp<VsftpdServer>;
