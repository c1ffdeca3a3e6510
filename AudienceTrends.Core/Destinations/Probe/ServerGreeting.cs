using System.Text;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>
/// Reads the first lines a file server sends on connecting (SSH's version line, FTP's 220), for the connect step and
/// the FTP greeting check. What a server says is judged, never shown: quoting it would make the destination test a
/// banner grabber for any service.
/// </summary>
public static class ServerGreeting
{
    private const int MaxLineBytes = 255;

    /// <summary>
    /// The next line (CR LF or LF ended) as printable ASCII (anything else replaced), at most 255 bytes; throws when
    /// the server closes first.
    /// </summary>
    public static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < MaxLineBytes)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The server closed the connection without a greeting.");
            }

            if (one[0] == (byte)'\n')
            {
                break;
            }

            if (one[0] != (byte)'\r')
            {
                line.Append(Printable((char)one[0]));
            }
        }

        return line.ToString();
    }

    private static char Printable(char c) => c is >= ' ' and < (char)0x7f ? c : '?';
}
