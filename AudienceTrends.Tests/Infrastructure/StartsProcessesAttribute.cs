using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// Puts tests in the <c>Processes</c> category: they start an external process (sshd, vsftpd, s3rver, a build, the
/// Bicep CLI, <c>scripts/run-local.sh</c>, an Azurite of their own), so <c>scripts/test.sh --fast</c> leaves them out.
/// Put it on a test method, a test class,
/// on a base class (derived classes inherit it), or on a <c>[SetUpFixture]</c> that starts a server for its namespace:
/// then every test in that namespace, today's and tomorrow's, is in the category (see
/// <see cref="SetUpFixtureCategoriesAttribute"/>). The run-wide Azurite is not such a process: it starts once, in
/// memory, in about a second, and the fast lane uses it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class StartsProcessesAttribute : CategoryAttribute
{
    public const string Category = "Processes";

    public StartsProcessesAttribute()
        : base(Category)
    {
    }
}

/// <summary>
/// NUnit ignores a category on a <c>[SetUpFixture]</c> when it filters. This assembly attribute, applied once the whole
/// test tree is built, copies the categories of every set-up fixture, and of every fixture, onto each test beneath
/// it, so <c>--filter TestCategory!=...</c> sees them on the test itself.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class SetUpFixtureCategoriesAttribute : NUnitAttribute, IApplyToTest
{
    public void ApplyToTest(Test test) => Apply(test, []);

    private static void Apply(ITest test, IReadOnlyList<string> inherited)
    {
        var present = test.Properties[PropertyNames.Category].OfType<string>().ToList();
        // Read from the class too: NUnit does not apply a set-up fixture's category attributes to it.
        var declared = test.TypeInfo?.Type is { } type
            ? type.GetCustomAttributes(typeof(CategoryAttribute), inherit: true).Cast<CategoryAttribute>().Select(c => c.Name)
            : [];
        var all = present.Union(declared, StringComparer.Ordinal).Union(inherited, StringComparer.Ordinal).ToList();
        foreach (var category in all.Except(present, StringComparer.Ordinal))
        {
            test.Properties.Add(PropertyNames.Category, category);
        }

        foreach (var child in test.Tests)
        {
            Apply(child, all);
        }
    }
}
