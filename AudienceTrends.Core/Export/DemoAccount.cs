using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Export;

/// <summary>The account that owns the demo audiences (<c>Database:SeedDemoData</c>), and that run-local creates.</summary>
public static class DemoAccount
{
    public const string Name = "demo";

    public static readonly AccountId Id = AccountId.Parse(Name);
}
