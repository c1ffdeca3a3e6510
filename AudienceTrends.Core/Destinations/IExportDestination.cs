using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// Delivers one export file to one destination kind. Implementations read <c>content</c> to its end as it is produced
/// (it is not seekable and its length is unknown), never hold the whole file in memory, and make the file visible
/// only when complete.
/// </summary>
/// <remarks>
/// Failures a retry cannot fix (authentication refused, unknown bucket, permission denied, host key mismatch,
/// host not allowed) are thrown as <see cref="ExportFailedException"/>; anything else is treated as transient
/// and retried by the host.
/// </remarks>
public interface IExportDestination
{
    Task<DeliveryResult> DeliverAsync(DeliveryRequest delivery, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// What the jobs API adds to a finished job's <c>result</c> beyond what was stored: managed storage signs a
    /// download link here. Most kinds add nothing.
    /// </summary>
    /// <param name="location">Where the delivery put the file (<see cref="DeliveryResult.Location"/>, kept on the job).</param>
    ValueTask<IReadOnlyDictionary<string, object>> DescribeResultAsync(string location, string fileName, CancellationToken cancellationToken);
}

/// <param name="Account">The job's account: whose saved keys the delivery may use.</param>
/// <param name="JobId">The job being delivered; unique, safe for temporary names.</param>
/// <param name="File">The file's name and content type (<see cref="ExportFile"/>).</param>
public sealed record DeliveryRequest(AccountId Account, string JobId, ExportFile File, DestinationSettings Destination, DestinationSecrets Secrets)
{
    public string FileName => File.Name;
}

/// <param name="Location">Where the file went, without credentials: <c>sftp://host/path/file.csv</c>, <c>s3://bucket/key</c>, ...</param>
public sealed record DeliveryResult(string Location)
{
    /// <summary>
    /// Kind-specific facts worth keeping with the result, keyed as the jobs API shows them in <c>result</c>
    /// (SFTP records the host key it saw). Never a secret.
    /// </summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The typed base of a delivery: the kind's own settings and secrets, and its permanent failures mapped in one place.
/// </summary>
public abstract class ExportDestination<TSettings, TSecrets> : IExportDestination
    where TSettings : DestinationSettings
    where TSecrets : DestinationSecrets
{
    public async Task<DeliveryResult> DeliverAsync(DeliveryRequest delivery, Stream content, CancellationToken cancellationToken)
    {
        var settings = delivery.Destination as TSettings
            ?? throw new ExportFailedException(ErrorCodes.InvalidJob, $"The job's destination is not a {typeof(TSettings).Name}.");
        var secrets = delivery.Secrets as TSecrets
            ?? throw new ExportFailedException(ErrorCodes.InvalidJob, $"The job's credentials are not {typeof(TSecrets).Name}.");
        if (ProtocolText.HasControlCharacters(settings.ToJson()) || ProtocolText.HasControlCharacters(secrets.ToPayload()))
        {
            // The intake refuses these; a job stored before it did must not reach a protocol line or header.
            throw new ExportFailedException(
                ErrorCodes.DestinationRejected,
                "The destination's fields or credentials contain a control character or line break, which no transfer protocol carries safely; submit the export again without them.");
        }

        try
        {
            return await DeliverAsync(delivery, settings, secrets, content, cancellationToken);
        }
        catch (Exception e) when (e is not ExportFailedException && Permanent(e, settings) is { } failure)
        {
            throw failure;
        }
    }

    public virtual ValueTask<IReadOnlyDictionary<string, object>> DescribeResultAsync(
        string location, string fileName, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, object>>(new Dictionary<string, object>());

    protected abstract Task<DeliveryResult> DeliverAsync(
        DeliveryRequest delivery, TSettings settings, TSecrets secrets, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// The failure no retry can fix that <paramref name="exception"/> means, with a message naming the cause and the
    /// destination (never a secret); null when a retry may help.
    /// </summary>
    protected virtual ExportFailedException? Permanent(Exception exception, TSettings settings) => null;
}
