namespace AudienceTrends.Core.Requests;

/// <summary>Destination types of the reference API. <see cref="Aws"/> is the service's own download storage.</summary>
public enum DestinationType
{
    /// <summary>Managed download storage (Azure Blob here), the default when <c>destination</c> is absent.</summary>
    Aws,
    Sftp,
    Ftp,
    S3,
    Gcs,
}

public static class DestinationTypeNames
{
    /// <summary>The lower-case wire name, as the reference examples send it.</summary>
    public static string ToWireName(this DestinationType type) => type switch
    {
        DestinationType.Aws => "aws",
        DestinationType.Sftp => "sftp",
        DestinationType.Ftp => "ftp",
        DestinationType.S3 => "s3",
        DestinationType.Gcs => "gcs",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string? value, out DestinationType type)
    {
        foreach (var candidate in Enum.GetValues<DestinationType>())
        {
            if (string.Equals(candidate.ToWireName(), value, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
