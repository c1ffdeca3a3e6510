namespace AudienceTrends.Core.Common;

/// <summary>
/// A failure that retrying cannot fix: the job is marked Failed at once with <see cref="Code"/> and the message,
/// which a user can act on. The message must never contain a secret.
/// </summary>
public sealed class ExportFailedException : Exception
{
    public ExportFailedException(string code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>A stable machine-readable code, e.g. <c>destination_auth_failed</c>.</summary>
    public string Code { get; }
}

/// <summary>Error codes recorded on failed jobs.</summary>
public static class ErrorCodes
{
    public const string DestinationAuthFailed = "destination_auth_failed";
    public const string DestinationNotFound = "destination_not_found";
    public const string DestinationPermissionDenied = "destination_permission_denied";
    public const string HostKeyMismatch = "host_key_mismatch";
    public const string HostNotAllowed = "destination_host_not_allowed";
    public const string DestinationRejected = "destination_rejected";
    public const string SavedKeyNotFound = "saved_key_not_found";
    public const string RetriesExhausted = "retries_exhausted";
    public const string EnqueueFailed = "enqueue_failed";
    public const string InvalidJob = "invalid_job";
}

/// <summary>Text a client reads in <c>error.message</c>.</summary>
public static class ErrorText
{
    /// <summary><paramref name="text"/> on one line (control characters become spaces), cut to <paramref name="maxLength"/> with an ellipsis.</summary>
    public static string OneLine(string text, int maxLength)
    {
        var line = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)).Trim();
        return line.Length <= maxLength ? line : line[..(maxLength - 1)] + "…";
    }
}
