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

        using var lease = new LeaseKeeper(job, jobs, time, options.Value, cancellationToken);
        try
        {
            var (delivered, rows, bytes, sha256) = await ExportAsync(job, lease, lease.Token);
            await lease.StopAsync();
            job.Status = JobStatus.Done;
            job.CompletedItems = job.TotalItems;
            job.ResultRows = rows;
            job.ResultBytes = bytes;
            job.ResultSha256 = sha256;
            job.ResultLocation = delivered.Location;
            job.ResultFileName = job.FileName;
            job.ResultDetails = JobResultDetails.ToJson(delivered.Details);
            await FinishAsync(job);
            logger.LogInformation("Export job {JobId} done: {Rows} rows, {Bytes} bytes delivered to {Location}",
                job.Id, rows, bytes, delivered.Location);
        }
        catch (ExportFailedException e)
        {
            await lease.StopAsync();
            logger.LogWarning(e, "Export job {JobId} failed: {ErrorCode}", job.Id, e.Code);
            job.ErrorCode = e.Code;
            job.ErrorMessage = e.Message;
            job.Status = JobStatus.Failed;
            await FinishAsync(job);
        }
        catch (Exception) when (lease.Lost)
        {
            logger.LogWarning("Export job {JobId} was taken over by another worker; this attempt stops", job.Id);
        }
        catch (Exception e)
        {
            await lease.StopAsync();
            logger.LogWarning(e, "Export job {JobId} attempt {Attempt} failed; the message will be retried", job.Id, job.Attempts);
            job.LastError = Describe(e);
            job.LeaseUntil = time.GetUtcNow();
            await jobs.TryUpdateAsync(job, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Marks a job whose message exhausted its retries as Failed, naming what kept failing.</summary>
    public async Task FailExhaustedAsync(string jobId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
        var job = await jobs.GetAsync(jobId, cancellationToken);
        if (job is null || JobStatus.IsFinal(job.Status))
        {
            return;
        }

        job.Status = JobStatus.Failed;
        job.ErrorCode = ErrorCodes.RetriesExhausted;
        job.ErrorMessage = "The export kept failing and was given up after several attempts" +
            (job.LastError is null ? "." : $". Last error: {job.LastError}");
        await FinishAsync(job);
        logger.LogError("Export job {JobId} failed after {Attempts} attempts: {LastError}", job.Id, job.Attempts, job.LastError);
    }

    private async Task<bool> TryClaimAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (JobStatus.IsFinal(job.Status))
        {
            logger.LogInformation("Export job {JobId} is already {Status}; message ignored", job.Id, job.Status);
            return false;
        }

        if (job.Status == JobStatus.Processing && job.LeaseUntil > now)
        {
            logger.LogInformation("Export job {JobId} is being processed by another worker until {LeaseUntil}; message ignored",
                job.Id, job.LeaseUntil);
            return false;
        }

        job.Status = JobStatus.Processing;
        job.StartedAt ??= now;
        job.LeaseUntil = now + options.Value.LeaseDuration;
        job.Attempts++;
        job.CompletedItems = 0;
        if (!await jobs.TryUpdateAsync(job, cancellationToken))
        {
            logger.LogInformation("Export job {JobId} was claimed by another worker; message ignored", job.Id);
            return false;
        }

        logger.LogInformation("Export job {JobId} claimed, attempt {Attempt}", job.Id, job.Attempts);
        return true;
    }

    private async Task<(DeliveryResult Delivered, long Rows, long Bytes, string Sha256)> ExportAsync(
        ExportJob job, LeaseKeeper lease, CancellationToken cancellationToken)
    {
        var audiences = await audienceLists.LoadAsync(job.Id, cancellationToken)
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

    private async Task FinishAsync(ExportJob job)
    {
        job.EndedAt = time.GetUtcNow();
        job.LeaseUntil = null;
        if (!await jobs.TryUpdateAsync(job, CancellationToken.None))
        {
            logger.LogWarning("Export job {JobId} changed while finishing; its final state was not saved by this worker", job.Id);
        }
    }

    /// <summary>A short description of a transient failure for the job row: type and message, no stack.</summary>
    private static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }

    /// <summary>
    /// While an export runs, saves its progress and renews its lease every <see cref="JobsOptions.ProgressInterval"/>.
    /// If the job changed under it (another worker took over after the lease expired), cancels the export.
    /// </summary>
    private sealed class LeaseKeeper : IDisposable
    {
        private readonly ExportJob _job;
        private readonly JobStore _jobs;
        private readonly TimeProvider _time;
        private readonly JobsOptions _options;
        private readonly CancellationTokenSource _cancellation;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _completed;

        public LeaseKeeper(ExportJob job, JobStore jobs, TimeProvider time, JobsOptions options, CancellationToken cancellationToken)
        {
            (_job, _jobs, _time, _options) = (job, jobs, time, options);
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = RunAsync();
        }

        public CancellationToken Token => _cancellation.Token;

        public bool Lost { get; private set; }

        public void ReportProgress(int rowsWritten) => Volatile.Write(ref _completed, rowsWritten);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _cancellation.Dispose();
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            while (true)
            {
                try
                {
                    await Task.Delay(_options.ProgressInterval, _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _job.CompletedItems = Volatile.Read(ref _completed);
                _job.LeaseUntil = _time.GetUtcNow() + _options.LeaseDuration;
                bool saved;
                try
                {
                    // Never cancelled half-way: a save that lands unseen would leave this worker with a stale ETag.
                    saved = await _jobs.TryUpdateAsync(_job, CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage hiccup: the lease still has time left; try again at the next beat.
                    continue;
                }

                if (!saved)
                {
                    Lost = true;
                    await _cancellation.CancelAsync();
                    return;
                }
            }
        }
    }
}
