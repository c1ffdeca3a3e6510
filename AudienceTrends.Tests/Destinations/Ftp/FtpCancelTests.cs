using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.Ftp;

public sealed class FtpCancelTests
{
    [Test]
    public Task A_job_cancelled_mid_upload_ends_Cancelled_and_leaves_no_file_on_the_server() =>
        MidTransferCancel.AssertFileServerCancelAsync(
            "ftp", VsftpdServer.Current.Port, VsftpdServer.Current.User, VsftpdServer.Current.Password, VsftpdServer.Current.Home);
}
