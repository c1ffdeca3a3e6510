using System.Diagnostics;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>What every kind's "the server stopped reading" cancel test checks, written once.</summary>
public static class StoppedReading
{
    /// <summary>
    /// Waits until <paramref name="proxy"/> has stopped reading and the client's send has blocked, cancels
    /// <paramref name="cancellation"/>, and asserts that <paramref name="delivery"/> ends with the cancellation within
    /// 30 s (its own timeouts are far longer) and leaves no socket to the server behind, nor, given
    /// <paramref name="threadsBefore"/>, an added thread (<see cref="ProcessResources.AssertNothingLeftAsync"/>). With
    /// <paramref name="stalledConnectionsOnly"/> (HTTP kinds), only the connections the proxy stalled count.
    /// </summary>
    public static async Task AssertCancelEndsItAsync(
        CuttingTcpProxy proxy, Task delivery, CancellationTokenSource cancellation, int? threadsBefore, bool stalledConnectionsOnly,
        CancellationToken testTime)
    {
        await proxy.CutAsync(testTime);
        await Task.Delay(TimeSpan.FromSeconds(1), testTime); // the client's buffers fill and its send blocks
        var cancelled = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        Assert.That(() => delivery.WaitAsync(testTime), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Stopwatch.GetElapsedTime(cancelled), Is.LessThan(TimeSpan.FromSeconds(30)),
            "the cancellation ends the attempt (its timeouts are 30 min), with a wide margin for the clean-up");
        await ProcessResources.AssertNothingLeftAsync(proxy.Ports, threadsBefore, stalledConnectionsOnly ? proxy.CutClientPorts : null);
    }
}
