using System.Text;

namespace AudienceTrends.Core.Destinations.Probe;

/// <summary>Reads the first lines a file server sends on connecting (SSH's version line, FTP's 220), for the connect step.</summary>
public static class ServerGreeting
{
    private const int MaxLineBytes = 255;

    /// <summary>
    /// The next line (CR LF or LF ended) as printable ASCII, at most 255 bytes; throws when the server closes first.
    /// What a server says is shown to the user, so anything unprintable is replaced.
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

    /// <summary>A server's words as shown to the user: anything but printable ASCII replaced, at most 255 characters.</summary>
    public static string Printable(string text) =>
        new([.. text.Take(MaxLineBytes).Select(Printable)]);

    private static char Printable(char c) => c is >= ' ' and < (char)0x7f ? c : '?';
}
