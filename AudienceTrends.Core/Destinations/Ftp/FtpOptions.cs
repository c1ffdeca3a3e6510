namespace AudienceTrends.Core.Destinations.Ftp;

/// <summary>FTP delivery settings. Section <c>Ftp</c>.</summary>
public sealed class FtpOptions
{
    public const string SectionName = "Ftp";

    /// <summary>Longest wait for one command exchange: connect, login and the server's reply.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest time the data connection may stall while the file is sent.</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(2);

    internal static IEnumerable<string> Validate(FtpOptions options)
    {
        if (options.CommandTimeout <= TimeSpan.Zero || options.CommandTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "CommandTimeout must be between 00:00:01 and 00:10:00.";
        }

        if (options.DataTimeout <= TimeSpan.Zero || options.DataTimeout > TimeSpan.FromHours(1))
        {
            yield return "DataTimeout must be between 00:00:01 and 01:00:00.";
        }
    }
}
