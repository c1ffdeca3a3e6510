using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AudienceTrends.LocalHost;

/// <summary>
/// What this app's <c>host.json</c> tells the Functions host: the HTTP route prefix and the queue trigger's polling,
/// concurrency and retry settings. As in the real host, an app setting
/// <c>AzureFunctionsJobHost__extensions__queues__visibilityTimeout</c> (and so on) overrides the file.
/// Read and validated once at start-up; every problem is listed at once.
/// </summary>
public sealed record HostJson(string RoutePrefix, QueueSettings Queues)
{
    public const string FileName = "host.json";
    private const string OverridePrefix = "AzureFunctionsJobHost";

    public static HostJson Load(string directory, IConfiguration settings)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build AudienceTrends.Functions (it copies host.json).", path);
        }

        var file = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        string? Get(string key) => settings[$"{OverridePrefix}:{key}"] ?? file[key];

        var errors = new List<string>();
        TimeSpan Time(string key, TimeSpan fallback, TimeSpan minimum)
        {
            var text = Get(key);
            if (text is null)
            {
                return fallback;
            }

            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                errors.Add($"{key} is '{text}': expected a time span (hh:mm:ss) of at least {minimum}.");
            }

            return value;
        }

        int Count(string key, int fallback, int minimum)
        {
            var text = Get(key);
            if (text is null)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                errors.Add($"{key} is '{text}': expected a whole number of at least {minimum}.");
            }

            return value;
        }

        // Fallbacks are the Functions host's own defaults (newBatchThreshold: half the batch).
        var batchSize = Count("extensions:queues:batchSize", 16, 1);
        var queues = new QueueSettings(
            MaxPollingInterval: Time("extensions:queues:maxPollingInterval", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100)),
            VisibilityTimeout: Time("extensions:queues:visibilityTimeout", TimeSpan.Zero, TimeSpan.Zero),
            BatchSize: batchSize,
            NewBatchThreshold: Count("extensions:queues:newBatchThreshold", batchSize / 2, 0),
            MaxDequeueCount: Count("extensions:queues:maxDequeueCount", 5, 1));
        if (queues.BatchSize > 32)
        {
            errors.Add($"extensions:queues:batchSize is {queues.BatchSize}: Azure Storage queues hand out at most 32 messages at once.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{path} (or its AzureFunctionsJobHost__ overrides) is invalid:\n  " + string.Join("\n  ", errors));
        }

        return new HostJson(Get("extensions:http:routePrefix") ?? "api", queues);
    }
}

/// <summary>The queue trigger settings of host.json (<c>extensions.queues</c>).</summary>
public sealed record QueueSettings(
    TimeSpan MaxPollingInterval, TimeSpan VisibilityTimeout, int BatchSize, int NewBatchThreshold, int MaxDequeueCount);
