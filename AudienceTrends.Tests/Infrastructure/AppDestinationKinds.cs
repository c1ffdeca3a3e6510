using AudienceTrends.Core.Destinations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>The app's registry of destination kinds, built by its own <c>AddDestinations</c>, holding the examples' saved key.</summary>
public static class AppDestinationKinds
{
    public static DestinationKinds Instance { get; } = new ServiceCollection()
        .AddDestinations(new ConfigurationBuilder().AddInMemoryCollection(ExampleSavedKey.Settings()).Build())
        .BuildServiceProvider()
        .GetRequiredService<DestinationKinds>();
}
