using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// Delivers one export file. Implementations read <c>content</c> to its end as it is produced (it is not seekable
/// and its length is unknown), never hold the whole file in memory, and make the file visible only when complete.
/// </summary>
/// <remarks>
/// Failures a retry cannot fix (authentication refused, unknown bucket, permission denied, host key mismatch,
/// host not allowed) are thrown as <see cref="Export.ExportFailedException"/>; anything else is treated as transient
/// and retried by the host.
/// </remarks>
public interface IExportDestination
{
    DestinationType Type { get; }

    Task<DeliveryResult> DeliverAsync(DeliveryRequest delivery, Stream content, CancellationToken cancellationToken);
}

/// <param name="JobId">The job being delivered; unique, safe for temporary names.</param>
/// <param name="FileName">The file name, <c>&lt;name&gt;.csv</c>.</param>
public sealed record DeliveryRequest(string JobId, string FileName, Destination Destination, DestinationSecrets Secrets);

/// <param name="Location">Where the file went, without credentials: <c>sftp://host/path/file.csv</c>, <c>s3://bucket/key</c>, ...</param>
public sealed record DeliveryResult(string Location)
{
    /// <summary>SFTP: the host key fingerprint observed, <c>SHA256:...</c>.</summary>
    public string? HostKeyFingerprint { get; init; }
}
