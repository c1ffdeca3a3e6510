using System.IO.Pipelines;
using System.Security.Cryptography;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Export;

/// <summary>
/// Runs one export job, top to bottom as its life goes: load, claim, query SQL into CSV, stream to the destination,
/// finish. Failures retrying cannot fix mark the job Failed at once; any other failure is recorded on the job and
/// rethrown so the host retries the message (and, after the last retry, poison-queues it).
/// </summary>
public sealed class ExportWorker(
    JobStore jobs,
    AudienceListStore audienceLists,
    SecretProtector protector,
    IAudienceTrendSource source,
    TrendCsvWriter csvWriter,
    DestinationKinds kinds,
    ExportDestinations destinations,
    TimeProvider time,
    IOptions<JobsOptions> options,
    ILogger<ExportWorker> logger)
{
    private const int PipeBufferBytes = 1024 * 1024;

    public async Task ProcessAsync(string jobId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        var job = await jobs.GetAsync(jobId, cancellationToken);
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
            job.Complete(delivered, rows, bytes, sha256, time.GetUtcNow());
            await SaveFinalStateAsync(job);
            logger.LogInformation("Export job {JobId} done: {Rows} rows, {Bytes} bytes delivered to {Location}",
                job.Id, rows, bytes, delivered.Location);
        }
        catch (ExportFailedException e)
        {
            await lease.StopAsync();
            logger.LogWarning(e, "Export job {JobId} failed: {ErrorCode}", job.Id, e.Code);
            job.Fail(e.Code, e.Message, time.GetUtcNow());
            await SaveFinalStateAsync(job);
        }
        catch (Exception) when (lease.Lost)
        {
            logger.LogWarning("Export job {JobId} was taken over by another worker; this attempt stops", job.Id);
        }
        catch (Exception e)
        {
            await lease.StopAsync();
            logger.LogWarning(e, "Export job {JobId} attempt {Attempt} failed; the message will be retried", job.Id, job.Attempts);
            job.RecordTransientFailure($"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
            await jobs.TryUpdateAsync(job, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Marks a job whose message exhausted its retries as Failed, naming what kept failing.</summary>
    public async Task FailExhaustedAsync(string jobId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null || job.IsFinished)
        {
            return;
        }

        job.Fail(ErrorCodes.RetriesExhausted, "The export kept failing and was given up after several attempts" +
            (job.LastError is null ? "." : $". Last error: {job.LastError}"), time.GetUtcNow());
        await SaveFinalStateAsync(job);
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

        if (job.IsLeasedAt(now))
        {
            logger.LogInformation("Export job {JobId} is being processed by another worker until {LeaseUntil}; message ignored",
                job.Id, job.LeaseUntil);
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
        var target = destinations.For(job.DestinationType);
        var (first, last) = (job.FirstDate, job.LastDate);

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2,
            useSynchronizationContext: false));
        using var producerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hashing = new HashingStream(pipe.Writer.AsStream(leaveOpen: true));
        var producer = Task.Run(async () =>
        {
            try
            {
                var trends = source.ReadTrendsAsync(audiences, first, last, producerCancellation.Token);
                var rows = await csvWriter.WriteAsync(hashing, first, last, trends, lease.ReportProgress, producerCancellation.Token);
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
                new DeliveryRequest(job.Id, ExportFile.For(job.Name), destination, secrets), content, cancellationToken);
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

    private async Task SaveFinalStateAsync(ExportJob job)
    {
        if (!await jobs.TryUpdateAsync(job, CancellationToken.None))
        {
            logger.LogWarning("Export job {JobId} changed while finishing; its final state was not saved by this worker", job.Id);
        }
    }
}
