using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Jobs.Cancel;

namespace AudienceTrends.Tests.Destinations.Sftp;

public sealed class SftpCancelTests
{
    [Test]
    public Task A_job_cancelled_mid_upload_ends_Cancelled_and_leaves_no_file_on_the_server() =>
        MidTransferCancel.AssertFileServerCancelAsync(
            "sftp", SshdServer.Current.Port, SshdServer.Current.PasswordUser, SshdServer.Current.Password, SshdServer.Current.PasswordUserHome);
}
