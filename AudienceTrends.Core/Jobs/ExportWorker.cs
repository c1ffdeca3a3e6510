using AudienceTrends.Core.Accounts;
using System.IO.Pipelines;
using System.Security.Cryptography;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Export.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Runs one export job, top to bottom as its life goes: load, claim, query SQL into the file (CSV, JSON Lines or Parquet), stream to the destination,
/// finish. Failures retrying cannot fix mark the job Failed at once; any other failure is recorded on the job and
/// rethrown so the host retries the message (and, after the last retry, poison-queues it).
/// </summary>
public sealed class ExportWorker(
    JobStore jobs,
    AudienceListStore audienceLists,
    SecretProtector protector,
    IAudienceTrendSource source,
    TrendFileWriters writers,
    DestinationKinds kinds,
    JobUpdates updates,
    JobQueue queue,
    TimeProvider time,
    IOptions<JobsOptions> options,
    IOptions<AccountsOptions> accounts,
    AccountRunningLimit runningLimit,
    ILogger<ExportWorker> logger)
{
    private const int PipeBufferBytes = 1024 * 1024;

    /// <summary>How long after a live lease's end a deferred message comes back: a heartbeat's worth of slack.</summary>
    private static readonly TimeSpan RedeliveryMargin = TimeSpan.FromSeconds(5);

    /// <param name="messageText">The work queue's message (<see cref="JobMessage"/>).</param>
    public async Task ProcessAsync(string messageText, CancellationToken cancellationToken)
    {
        if (Read(messageText) is not { } message)
        {
            return;
        }

        var jobId = message.JobId;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId, ["AccountId"] = message.Account.Value });
        var job = await jobs.GetAsync(message.Account, jobId, cancellationToken);
        if (job is null)
        {
            logger.LogWarning("Export job {JobId} does not exist; message ignored", jobId);
            return;
        }

        if (!await TryClaimAsync(job, cancellationToken))
        {
            return;
        }

        using var lease = new JobLease(job, jobs, time, options.Value, cancellationToken);
        try
        {
            var (delivered, rows, bytes, sha256) = await ExportAsync(job, lease, lease.Token);
            await lease.StopAsync();
            await FinishAsync(job, j => j.Complete(delivered, rows, bytes, sha256, time.GetUtcNow()));
            logger.LogInformation("Export job {JobId} done: {Rows} rows, {Bytes} bytes delivered to {Location}",
                job.Id, rows, bytes, delivered.Location);
        }
        catch (Exception) when (lease.CancelRequested)
        {
            // The destination removed what it had started when the token fired; whatever the export threw after that
            // is the cancellation's doing.
            await lease.StopAsync();
            if (await jobs.GetAsync(job.Account, job.Id, CancellationToken.None) is { } requested)
            {
                await FinishAsync(requested, j => j.Cancel(time.GetUtcNow()));
            }

            logger.LogInformation("Export job {JobId} cancelled at the user's request", job.Id);
        }
        catch (ExportFailedException e)
        {
            await lease.StopAsync();
            logger.LogWarning(e, "Export job {JobId} failed: {ErrorCode}", job.Id, e.Code);
            await FinishAsync(job, j => j.Fail(e.Code, e.Message, time.GetUtcNow()));
        }
        catch (Exception) when (lease.Lost)
        {
            logger.LogWarning("Export job {JobId} was taken over by another worker; this attempt stops", job.Id);
        }
        catch (Exception e)
        {
            await lease.StopAsync();
            var cause = cancellationToken.IsCancellationRequested
                ? "the attempt was interrupted because the service stopped"
                : lease.Expired
                    ? "the job's storage did not answer, so the attempt stopped before its lease ran out"
                    : TransientFailures.Describe(e, job.Destination);
            logger.LogWarning(e, "Export job {JobId} attempt {Attempt} failed ({Cause}); the message will be retried",
                job.Id, job.Attempts, cause);
            await updates.ApplyAsync(job, Attempt(job, j => j.RecordTransientFailure(cause, time.GetUtcNow())), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Marks a job whose message exhausted its retries as Failed, naming what kept failing.</summary>
    public async Task FailExhaustedAsync(string messageText, CancellationToken cancellationToken)
    {
        if (Read(messageText) is not { } message)
        {
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = message.JobId, ["AccountId"] = message.Account.Value });
        var job = await jobs.GetAsync(message.Account, message.JobId, cancellationToken);
        if (job is null || job.IsFinished)
        {
            return;
        }

        var reason = $"The export was given up after {job.Attempts} failed attempts" +
            (job.LastError is null ? "." : $". Last error: {job.LastError}. Submit it again once that is resolved.");
        await updates.ApplyAsync(job, j =>
        {
            if (j.IsFinished)
            {
                return false;
            }

            j.Fail(ErrorCodes.RetriesExhausted, reason, time.GetUtcNow());
            return true;
        }, CancellationToken.None);
        logger.LogError("Export job {JobId} failed after {Attempts} attempts: {LastError}", job.Id, job.Attempts, job.LastError);
    }

    private async Task<bool> TryClaimAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (job.IsFinished)
        {
            logger.LogInformation("Export job {JobId} is already {Status}; message ignored", job.Id, job.Status);
            return false;
        }

        if (job.IsCancelRequestedIn(job.Attempts) && !job.IsLeasedAt(now))
        {
            // Cancelled while its worker was gone: nothing to take over.
            await FinishAsync(job, j => j.Cancel(now));
            logger.LogInformation("Export job {JobId} was cancelled while no worker held it", job.Id);
            return false;
        }

        if (job.IsLeasedAt(now))
        {
            // A redelivery (the host retried a message whose worker died, or a duplicate) while a lease is alive: that
            // worker may be dead, so the message comes back once its lease has run out (one re-sent message per
            // delivery, so duplicates never multiply; a message for a finished job then does nothing).
            var delay = job.LeaseUntil!.Value - now + RedeliveryMargin;
            await queue.EnqueueAsync(job, delay, cancellationToken);
            logger.LogInformation(
                "Export job {JobId} is being processed by another worker until {LeaseUntil}; its message comes back in {Delay}",
                job.Id, job.LeaseUntil, delay);
            return false;
        }

        if (job.Status == JobStatus.Pending && await runningLimit.DeferIfBusyAsync(job, cancellationToken))
        {
            return false;
        }

        job.Claim(now, options.Value.LeaseDuration);
        if (!await jobs.TryUpdateAsync(job, cancellationToken))
        {
            logger.LogInformation("Export job {JobId} was claimed by another worker; message ignored", job.Id);
            return false;
        }

        logger.LogInformation("Export job {JobId} claimed, attempt {Attempt}", job.Id, job.Attempts);
        return true;
    }

    private async Task<(DeliveryResult Delivered, long Rows, long Bytes, string Sha256)> ExportAsync(
        ExportJob job, JobLease lease, CancellationToken cancellationToken)
    {
        var audiences = await audienceLists.LoadAsync(job, cancellationToken)
            ?? throw new ExportFailedException(ErrorCodes.InvalidJob, "The job's audience list is missing; submit the export again.");
        var destination = job.ToDestination(kinds);
        var secrets = UnprotectSecrets(job, kinds.Find(job.DestinationType));
        var target = kinds.DeliveryFor(job.DestinationType);
        var (first, last) = (job.FirstDate, job.LastDate);
        var writer = writers.For(job.ExportType, job.Layout);

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2,
            useSynchronizationContext: false));
        using var producerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hashing = new HashingStream(pipe.Writer.AsStream(leaveOpen: true));
        var producer = Task.Run(async () =>
        {
            try
            {
                var trends = source.ReadTrendsAsync(job.Account, audiences, first, last, producerCancellation.Token);
                var rows = await job.File.WriteAsync(hashing, file =>
                    writer.WriteAsync(file, first, last, trends, lease.ReportProgress, producerCancellation.Token));
                await hashing.FlushAsync(producerCancellation.Token);
                await pipe.Writer.CompleteAsync();
                return rows;
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }, CancellationToken.None);

        try
        {
            await using var content = pipe.Reader.AsStream();
            var delivered = await target.DeliverAsync(
                new DeliveryRequest(job.Account, job.Id, job.File, destination, secrets), content, cancellationToken);
            var rows = await producer;
            return (delivered, rows, hashing.BytesWritten, hashing.Sha256Hex());
        }
        catch (Exception)
        {
            // Stop producing; if producing is what failed (the database, say), that is the error to report,
            // not the delivery's view of a broken stream.
            await producerCancellation.CancelAsync();
            await pipe.Reader.CompleteAsync();
            var producerError = await ErrorOf(producer);
            if (producerError is not null and not OperationCanceledException)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(producerError);
            }

            throw;
        }
    }

    private static async Task<Exception?> ErrorOf(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private DestinationSecrets UnprotectSecrets(ExportJob job, IDestinationKind kind)
    {
        byte[]? payload = null;
        try
        {
            payload = protector.Unprotect(job.EncryptedSecrets, job.Id);
            return kind.ReadSecrets(payload);
        }
        catch (CryptographicException e)
        {
            throw new ExportFailedException(ErrorCodes.InvalidJob,
                "The job's destination credentials cannot be decrypted (the service's encryption key changed); submit the export again.", e);
        }
        finally
        {
            if (payload is not null)
            {
                CryptographicOperations.ZeroMemory(payload);
            }
        }
    }

    /// <summary>
    /// Applies a final <paramref name="transition"/> of this attempt and saves it; when the row changed meanwhile but
    /// is still this attempt's (a cancel was requested as the export finished), to the row as it is now.
    /// </summary>
    private async Task FinishAsync(ExportJob job, Action<ExportJob> transition)
    {
        if (!(await updates.ApplyAsync(job, Attempt(job, transition), CancellationToken.None)).Applied)
        {
            logger.LogWarning("Export job {JobId} changed while finishing; its final state was not saved by this worker", job.Id);
        }
    }

    /// <summary>The message's job, or null (logged, without the text) for a message that names none: retrying it cannot help.</summary>
    private JobMessage? Read(string messageText)
    {
        var message = JobMessage.TryParse(messageText, accounts.Value.LegacyAccountId);
        if (message is null)
        {
            logger.LogWarning("A work queue message of {Length} characters names no job; message ignored", messageText.Length);
        }

        return message;
    }

    /// <summary>A transition that applies only while the job is still in <paramref name="job"/>'s attempt.</summary>
    private static Func<ExportJob, bool> Attempt(ExportJob job, Action<ExportJob> transition)
    {
        var attempt = job.Attempts;
        return current =>
        {
            if (!current.IsInAttempt(attempt))
            {
                return false;
            }

            transition(current);
            return true;
        };
    }
}
