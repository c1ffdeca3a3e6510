namespace AudienceTrends.Core.Export.Formats;

/// <summary>Writes audience trends as one file format and layout, streaming: memory stays flat whatever the export's size.</summary>
public interface ITrendFileWriter
{
    /// <summary>Writes the file and returns its number of data rows.</summary>
    /// <param name="onAudiencesWritten">Called now and then with the running total of audiences written, and at the end.</param>
    Task<int> WriteAsync(
        Stream output,
        DateOnly firstDay,
        DateOnly lastDay,
        IAsyncEnumerable<AudienceTrend> trends,
        Action<int>? onAudiencesWritten,
        CancellationToken cancellationToken);
}
