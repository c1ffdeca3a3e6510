using AudienceTrends.Tests.Destinations.Probe;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Destinations.Ftp;

/// <summary>The destination test of <c>ftp</c> against the tests' own vsftpd: the file-server scenarios and FTPS.</summary>
public class FtpProbeTests : FileServerProbeTests
{
    private static VsftpdServer Server => VsftpdServer.Current;

    protected override string Type => "ftp";

    protected override int ServerPort => Server.Port;

    protected override string User => Server.User;

    protected override string Password => Server.Password;

    protected override string Home => Server.Home;

    protected override string[] AllSteps => ["resolve", "connect", "authenticate", "write", "rename", "delete"];

    [Test]
    public async Task The_connect_and_login_steps_say_what_was_found_without_quoting_the_server()
    {
        var answer = await DestinationTestCall.PostAsync(Destination(path: "/"));

        Assert.That(answer.Detail("connect"), Does.Contain("greets as an FTP server"));
        Assert.That(answer.Text, Does.Not.Contain("vsFTPd").And.Not.Contain("\"220"), "neither the greeting nor the PWD reply is quoted");
        Assert.That(answer.Detail("authenticate"), Is.EqualTo($"Logged in as '{User}'."));
    }

    /// <summary>The connect step's connection, then the greeting check every FTP connection makes before its first login.</summary>
    protected override int ConnectionsBeforeLogin => 2;

    [Test]
    public async Task Explicit_ftps_stops_at_authenticate_before_any_login()
    {
        var destination = Destination(path: "/");
        destination["secure"] = true;

        var answer = await DestinationTestCall.PostAsync(destination);

        answer.AssertSteps(ok: false, "resolve", "connect", "authenticate");
        Assert.That(answer.LastDetail, Does.Contain("secure: false"));
    }

    protected override void ShortTimeouts(IDictionary<string, string?> settings)
    {
        settings["Ftp:CommandTimeout"] = "00:00:01";
        settings["Ftp:DataTimeout"] = "00:00:02";
    }
}
