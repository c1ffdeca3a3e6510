namespace AudienceTrends.Core.Jobs;

/// <summary>
/// A claimed job's lease while its export runs: every <see cref="JobsOptions.ProgressInterval"/> it saves the progress
/// reported and renews the lease (<see cref="ExportJob.RenewLease"/>). If the job changed under it, it reads the row
/// again: a cancel the user asked for during this attempt marks <see cref="CancelRequested"/>; anything else (another
/// worker took over after the lease ran out) marks the lease <see cref="Lost"/>. If the lease cannot be renewed in time
/// (storage failing or not answering), it marks it <see cref="Expired"/>, a safety margin before the lease runs out, so
/// no other worker can take the job over while this one still writes. Each of these cancels <see cref="Token"/>.
/// </summary>
public sealed class JobLease : IDisposable
{
    private readonly ExportJob _job;
    private readonly JobStore _jobs;
    private readonly TimeProvider _time;
    private readonly JobsOptions _options;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _completed;

    /// <summary>Starts keeping <paramref name="job"/>, which the caller has just claimed and saved.</summary>
    public JobLease(ExportJob job, JobStore jobs, TimeProvider time, JobsOptions options, CancellationToken cancellationToken)
    {
        (_job, _jobs, _time, _options) = (job, jobs, time, options);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = RunAsync();
    }

    /// <summary>Cancelled when the caller's token is, when the lease is lost, or when the user cancels the job.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool Lost { get; private set; }

    /// <summary>The user asked to cancel this job while this worker held it (<see cref="ExportJob.RequestCancel"/>).</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>
    /// The lease could not be renewed before <c>LeaseUntil</c> minus the margin: the export was cancelled, and the job
    /// is left for a retry (or a takeover once the lease has run out).
    /// </summary>
    public bool Expired { get; private set; }

    /// <summary>How long before the lease runs out an export that cannot renew it is stopped.</summary>
    private TimeSpan Margin => _options.LeaseDuration / 5;

    /// <summary>The audience rows written so far; saved at the next beat.</summary>
    public void ReportProgress(int rowsWritten) => Volatile.Write(ref _completed, rowsWritten);

    /// <summary>Stops the beats; after it the caller alone changes the job.</summary>
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
        var savedUntil = _job.LeaseUntil ?? _time.GetUtcNow();
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

            _job.RenewLease(_time.GetUtcNow(), _options.LeaseDuration, Volatile.Read(ref _completed));
            var deadline = savedUntil - Margin;
            bool saved;
            try
            {
                // Never cancelled half-way (a save that lands unseen would leave this worker with a stale ETag), but
                // not waited for past the deadline either.
                var wait = deadline - _time.GetUtcNow();
                saved = await _jobs.TryUpdateAsync(_job, CancellationToken.None)
                    .WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time);
            }
            catch (TimeoutException)
            {
                await ExpireAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage hiccup: try again at the next beat if it comes before the deadline; stop the export if not.
                if (_time.GetUtcNow() + _options.ProgressInterval > deadline)
                {
                    await ExpireAsync();
                    return;
                }

                continue;
            }

            if (!saved)
            {
                CancelRequested = await IsCancelRequestedAsync();
                Lost = !CancelRequested;
                await _cancellation.CancelAsync();
                return;
            }

            savedUntil = _job.LeaseUntil ?? savedUntil;
        }
    }

    /// <summary>Whether the row changed because the user asked to cancel this attempt, not because another worker took over.</summary>
    private async Task<bool> IsCancelRequestedAsync()
    {
        try
        {
            var current = await _jobs.GetAsync(_job.Account, _job.Id, CancellationToken.None);
            return current?.IsCancelRequestedIn(_job.Attempts) == true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Cannot tell: stopping as if lost leaves the job to the lease's expiry, where a cancel request is honoured.
            return false;
        }
    }

    private async Task ExpireAsync()
    {
        Expired = true;
        await _cancellation.CancelAsync();
    }
}
