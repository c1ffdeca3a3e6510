using AudienceTrends.Tests.Infrastructure;

// Categories of set-up fixtures and fixtures reach every test beneath them (the fast lane filters on them).
[assembly: SetUpFixtureCategories]

// Fixtures run side by side; the tests of one fixture run one after the other. What cannot be shared is isolated per
// test or per run (job tables and queues, buckets, folders, OS users), and what truly is machine-wide waits its turn
// ([NonParallelizable], MachineLock). Most of a test's time is spent waiting on a server, so more workers than cores.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
