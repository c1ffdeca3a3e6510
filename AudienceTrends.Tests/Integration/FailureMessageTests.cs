using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// What a client reads in <c>error.message</c> when a job's retries run out (Azurite and SQLite; a refused port and a
/// small fake FTP server as destinations): the destination and the cause in plain words, bounded, with no exception
/// type names and no address the user did not give.
/// </summary>
public sealed partial class FailureMessageTests
{
    private const int MaxMessageLength = 300;

    /// <summary>The FTP example body sent to 127.0.0.1:<paramref name="port"/>.</summary>
    public static string FtpBody(int port)
    {
        var body = JsonNode.Parse(HttpJson.Example("ftp.json"))!;
        body["destination"]!["server"] = "127.0.0.1";
        body["destination"]!["port"] = port;
        return body.ToJsonString();
    }

    [Test]
    public async Task A_refusing_server_fails_the_job_naming_the_destination_and_the_refusal()
    {
        var port = ServerProcess.FreeTcpPort();

        var message = await FinalMessageAsync(FtpBody(port));

        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain($"127.0.0.1:{port}"), "names the destination");
            Assert.That(message, Does.Contain("refused"));
            AssertPlain(message);
        });
    }

    [Test]
    public async Task A_long_ftp_reply_is_cut_short_in_the_message()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = AnswerEveryConnectionAsync(listener, "421 " + string.Concat(Enumerable.Repeat("busy, try later 10.9.8.7; ", 200)), stop.Token);

        var message = await FinalMessageAsync(FtpBody(((IPEndPoint)listener.LocalEndpoint).Port));
        await stop.CancelAsync();
        listener.Stop();
        await server;

        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("busy, try later"), "the server's own words, in part");
            AssertPlain(message);
        });
    }

    [Test]
    public async Task A_missing_database_is_reported_in_plain_words()
    {
        var database = TestDatabase.Create(["audience1", "audience2"], []);
        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        settings["Database:ConnectionString"] = $"Data Source={database};Mode=ReadWrite;Pooling=False";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        File.Delete(database);

        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        var message = job["error"]!["message"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("database is unavailable"));
            AssertPlain(message);
        });
    }

    private static async Task<string> FinalMessageAsync(string body)
    {
        var settings = await TestApp.SettingsAsync();
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var created = await host.Client.PostExportAsync(body);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());

        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"), job.ToJsonString());
        Assert.That(logs.AllText, Does.Contain("Exception"), "the details, exception included, went to the logs");
        return job["error"]!["message"]!.GetValue<string>();
    }

    private static void AssertPlain(string message)
    {
        Assert.That(message, Has.Length.LessThanOrEqualTo(MaxMessageLength));
        Assert.That(message, Does.Not.Contain("Exception").And.Not.Contain("Error:"), "no exception type names");
        Assert.That(IPv4().Matches(message).Select(m => m.Value), Is.All.EqualTo("127.0.0.1"), "no address but the one the user gave");
        Assert.That(message, Does.Not.Contain("password"));
    }

    /// <summary>Greets every connection with <paramref name="reply"/> and hangs up, as a busy FTP server does.</summary>
    private static async Task AnswerEveryConnectionAsync(TcpListener listener, string reply, CancellationToken cancellationToken)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + "\r\n");
        try
        {
            while (true)
            {
                using var client = await listener.AcceptSocketAsync(cancellationToken);
                await client.SendAsync(bytes, SocketFlags.None, cancellationToken);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The test is over.
        }
    }

    [GeneratedRegex(@"\b\d{1,3}(?:\.\d{1,3}){3}\b")]
    private static partial Regex IPv4();
}
