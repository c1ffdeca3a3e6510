using System.Net;
using System.Net.Sockets;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Export;
using Azure;
using Microsoft.Data.Sqlite;

namespace AudienceTrends.Tests.Export;

/// <summary>
/// The plain words a job's <c>LastError</c> gets for the failures a retry may fix, as the libraries really throw
/// them (wrapped the way they wrap them): the cause and the destination, nothing else.
/// </summary>
public class TransientFailuresTests
{
    private const string Destination = "sftp://username@files.example.com:22/exports";

    private static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData(new SocketException((int)SocketError.ConnectionRefused), "the connection to " + Destination + " was refused");
        yield return new TestCaseData(new IOException("Unable to read data", new SocketException((int)SocketError.ConnectionReset)),
            "the connection to " + Destination + " was reset");
        yield return new TestCaseData(new SocketException((int)SocketError.TimedOut), "the connection to " + Destination + " timed out");
        yield return new TestCaseData(new HttpRequestException("Name or service not known (bucket.s3.internal:443)", new SocketException((int)SocketError.HostNotFound)),
            "the server name of " + Destination + " could not be resolved (DNS)");
        yield return new TestCaseData(new TimeoutException("Session operation has timed out"), Destination + " did not answer in time");
        yield return new TestCaseData(new SqliteException("SQLite Error 14: 'unable to open database file'.", 14), "the database is unavailable");
        yield return new TestCaseData(new RequestFailedException(503, "Server busy at 10.0.0.4"), "the service's storage is unavailable");
        yield return new TestCaseData(new HttpRequestException("Response status code does not indicate success: 502 (Bad Gateway).", null, HttpStatusCode.BadGateway),
            Destination + " answered HTTP 502");
        yield return new TestCaseData(new FtpReplyException(421, "The FTP server answered STOR with: 421 Too many users from 192.168.1.20\r\n"),
            Destination + " answered: 421 Too many users from (address)");
        yield return new TestCaseData(new InvalidOperationException("Collection was modified at 0x7ff3"),
            "an unexpected error while exporting to " + Destination + " (the service's logs have the details)");
    }

    [TestCaseSource(nameof(Failures))]
    public void Each_failure_is_described_in_plain_words(Exception failure, string expected)
    {
        Assert.That(TransientFailures.Describe(failure, Destination), Is.EqualTo(expected));
    }

    [Test]
    public void A_long_destination_and_a_long_reply_are_cut_short()
    {
        var destination = "ftp://username@example.com:21/" + new string('d', 500);
        var failure = new FtpReplyException(450, "The FTP server answered STOR with: 450 " + new string('r', 5000));

        var described = TransientFailures.Describe(failure, destination);

        Assert.That(described, Has.Length.LessThanOrEqualTo(TransientFailures.MaxLength));
        Assert.That(described, Does.StartWith("ftp://username@example.com:21/ddd").And.Contain("answered: 450 rrr"));
    }

    [Test]
    public void Without_a_destination_it_says_the_destination()
    {
        Assert.That(TransientFailures.Describe(new SocketException((int)SocketError.ConnectionRefused), null),
            Is.EqualTo("the connection to the destination was refused"));
    }
}
