using AudienceTrends.LocalHost.Metadata;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.LocalHost.Queues;

/// <summary>What became of one delivered message.</summary>
public sealed record QueueDelivery(string MessageId, long DequeueCount, Exception? Failure, bool MovedToPoison);

/// <summary>
/// One queue-triggered function, with the Functions host's queue semantics (host.json <c>extensions.queues</c>):
/// polls with a back-off that doubles from 100 ms up to <c>maxPollingInterval</c> while the queue is empty; takes
/// <c>batchSize</c> messages at once and fetches the next batch when no more than <c>newBatchThreshold</c> are still
/// running; deletes a message when the function succeeds; on failure makes it visible again after
/// <c>visibilityTimeout</c>, or, at its <c>maxDequeueCount</c>th attempt, moves it to <c>&lt;queue&gt;-poison</c>.
/// A message stays invisible to other receivers while its function runs.
/// The storage client is taken from the app on first use, after the app's options were validated at start.
/// </summary>
public sealed class QueueTriggerListener(
    FunctionMetadata function, string queueName, Lazy<QueueServiceClient> queues, QueueSettings settings, FunctionInvoker invoker,
    ILogger logger, TimeProvider clock)
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RunningVisibility = TimeSpan.FromMinutes(10);

    public FunctionMetadata Function => function;

    public string QueueName => queueName;

    private QueueClient Queue => field ??= queues.Value.GetQueueClient(queueName);

    private QueueClient PoisonQueue => field ??= queues.Value.GetQueueClient(queueName + "-poison");

    /// <summary>Receives one message and runs the function on it; null when the queue is empty.</summary>
    public async Task<QueueDelivery?> ProcessNextAsync(CancellationToken cancellationToken)
    {
        await Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var message = (await Queue.ReceiveMessageAsync(RunningVisibility, cancellationToken)).Value;
        return message is null ? null : await ProcessAsync(message, cancellationToken);
    }

    /// <summary>The host's listener loop, until <paramref name="stopping"/> fires; waits for running functions then.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var running = new List<Task>();
        var pollingInterval = TimeSpan.Zero;
        var created = false;
        while (!stopping.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > settings.NewBatchThreshold)
            {
                await Task.WhenAny(running);
                continue;
            }

            QueueMessage[] batch;
            try
            {
                if (!created)
                {
                    await Queue.CreateIfNotExistsAsync(cancellationToken: stopping);
                    created = true;
                }

                batch = (await Queue.ReceiveMessagesAsync(settings.BatchSize, RunningVisibility, stopping)).Value;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException e)
            {
                logger.LogWarning(e, "Polling queue '{QueueName}' for '{FunctionName}' failed; trying again", Queue.Name, function.LogName);
                batch = [];
            }

            if (batch.Length > 0)
            {
                pollingInterval = TimeSpan.Zero;
                running.AddRange(batch.Select(m => Task.Run(() => ProcessInBackgroundAsync(m, stopping), CancellationToken.None)));
                continue;
            }

            pollingInterval = pollingInterval == TimeSpan.Zero
                ? MinimumPollingInterval
                : TimeSpan.FromTicks(Math.Min(pollingInterval.Ticks * 2, settings.MaxPollingInterval.Ticks));
            try
            {
                await Task.Delay(pollingInterval, clock, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
        }

        await Task.WhenAll(running);
    }

    private async Task ProcessInBackgroundAsync(QueueMessage message, CancellationToken stopping)
    {
        try
        {
            await ProcessAsync(message, stopping);
        }
        catch (RequestFailedException e)
        {
            // The function's own failures are settled inside; this is the storage refusing the settlement itself.
            logger.LogError(e, "Settling message {MessageId} of queue '{QueueName}' failed; it is delivered again when its invisibility ends",
                message.MessageId, queueName);
        }
    }

    private async Task<QueueDelivery> ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object?> { [function.Trigger.Name] = message.MessageText };
        var receipt = message.PopReceipt;
        using var done = new CancellationTokenSource();
        var keepInvisible = KeepInvisibleAsync(message.MessageId, () => receipt, r => receipt = r, done.Token);
        Exception? failure = null;
        try
        {
            logger.LogInformation("Trigger Details: MessageId: {MessageId}, DequeueCount: {DequeueCount}, InsertedOn: {InsertedOn:O}",
                message.MessageId, message.DequeueCount, message.InsertedOn);
            await invoker.InvokeAsync(function, Guid.NewGuid(), $"New queue message detected on '{Queue.Name}'.", values, null, cancellationToken);
        }
        catch (Exception e)
        {
            // Logged by the invoker; the host's answer to a failure is the retry below, never silence.
            failure = e;
        }
        finally
        {
            await done.CancelAsync();
            await keepInvisible;
        }

        // Settling runs even when the host is stopping: a message must not stay hidden for the running window.
        if (failure is null)
        {
            await Queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
            return new QueueDelivery(message.MessageId, message.DequeueCount, null, false);
        }

        if (message.DequeueCount >= settings.MaxDequeueCount)
        {
            logger.LogWarning("Message has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueueName}'.",
                settings.MaxDequeueCount, PoisonQueue.Name);
            await PoisonQueue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            await PoisonQueue.SendMessageAsync(message.MessageText, CancellationToken.None);
            await Queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
            return new QueueDelivery(message.MessageId, message.DequeueCount, failure, true);
        }

        await Queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
        return new QueueDelivery(message.MessageId, message.DequeueCount, failure, false);
    }

    /// <summary>Renews the message's invisibility at half the window while its function runs, as the host does.</summary>
    private async Task KeepInvisibleAsync(string messageId, Func<string> receipt, Action<string> renewed, CancellationToken done)
    {
        while (true)
        {
            try
            {
                await Task.Delay(RunningVisibility / 2, clock, done);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var update = await Queue.UpdateMessageAsync(messageId, receipt(), visibilityTimeout: RunningVisibility, cancellationToken: CancellationToken.None);
            renewed(update.Value.PopReceipt);
        }
    }
}
