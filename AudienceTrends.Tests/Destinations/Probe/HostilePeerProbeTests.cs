using System.Text.Json.Nodes;

namespace AudienceTrends.Tests.Destinations.Probe;

/// <summary>
/// The destination test pointed at a service that is not the destination's kind (a Redis- or SMTP-like peer on a
/// loopback port, which records what it receives): the answer says only that the port does not speak the protocol,
/// never what the peer sent, and no credential is sent to it.
/// </summary>
public class HostilePeerProbeTests
{
    private const string Password = "probe-password-0d5c9e";

    [TestCase("sftp", "does not speak SSH")]
    [TestCase("ftp", "does not speak FTP")]
    public async Task A_banner_first_service_does_not_speak_the_protocol_and_its_banner_is_never_shown(string type, string verdict)
    {
        await using var redis = new BannerServer("+OK secret-banner-123\r\n");

        var answer = await DestinationTestCall.PostAsync(Destination(type, redis.Port));

        answer.AssertSteps(ok: false, "resolve", "connect");
        Assert.That(answer.LastDetail, Does.Contain(verdict));
        Assert.That(answer.Text, Does.Not.Contain("secret-banner-123").And.Not.Contain("+OK"));
        Assert.That(redis.Received, Does.Not.Contain(Password));
    }

    [Test]
    public async Task An_smtp_server_gets_no_ftp_login_and_its_greeting_is_never_shown()
    {
        await using var smtp = new BannerServer("220 mail.example.com ESMTP Postfix secret-banner-456\r\n");

        var answer = await DestinationTestCall.PostAsync(Destination("ftp", smtp.Port));

        answer.AssertSteps(ok: false, "resolve", "connect");
        Assert.That(answer.LastDetail, Does.Contain("does not speak FTP").And.Contain("No login was sent"));
        Assert.That(answer.Text, Does.Not.Contain("secret-banner-456").And.Not.Contain("Postfix"));
        Assert.That(smtp.Received, Does.Not.Contain("USER").And.Not.Contain("PASS").And.Not.Contain(Password));
    }

    [Test]
    public async Task A_server_that_greets_as_ftp_once_and_then_as_smtp_gets_no_login()
    {
        // The connect step sees an FTP greeting; the login's own greeting check sees a mail server.
        await using var peer = new BannerServer("220 Service ready\r\n", "220 mail.example.com ESMTP secret-banner-789\r\n");

        var answer = await DestinationTestCall.PostAsync(Destination("ftp", peer.Port));

        answer.AssertSteps(ok: false, "resolve", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("does not speak FTP"));
        Assert.That(answer.Text, Does.Not.Contain("secret-banner-789"));
        Assert.That(peer.Received, Does.Not.Contain("USER").And.Not.Contain(Password), "credentials go only to an FTP greeting");
    }

    [Test]
    public async Task A_peer_that_breaks_the_ssh_exchange_gets_no_exception_names_or_its_words_in_the_answer()
    {
        await using var peer = new BannerServer("SSH-2.0-Hostile secret-banner-ssh\r\n\0\0\0\x0c\x0agarbage-secret-banner\r\n");

        var answer = await DestinationTestCall.PostAsync(Destination("sftp", peer.Port));

        Assert.That(answer.Ok, Is.False, answer.Text);
        Assert.That(answer.Text, Does.Not.Contain("secret-banner").And.Not.Contain("Exception").And.Not.Contain("Hostile"));
    }

    private static JsonObject Destination(string type, int port) => new()
    {
        ["type"] = type,
        ["server"] = "127.0.0.1",
        ["port"] = port,
        ["username"] = "probe-user",
        ["password"] = Password,
        ["path"] = "/",
    };
}
