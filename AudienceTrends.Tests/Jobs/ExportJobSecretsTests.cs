using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;

namespace AudienceTrends.Tests.Jobs;

/// <summary>Every final transition drops the job's encrypted credentials; the others keep them.</summary>
public class ExportJobSecretsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Test]
    public void Claiming_renewing_and_a_transient_failure_keep_the_credentials()
    {
        var job = NewJob();
        job.Claim(T0, Lease);
        job.RenewLease(T0.AddMinutes(1), Lease, 1);
        job.RecordTransientFailure("the connection to the destination was refused", T0.AddMinutes(2));

        Assert.That(job.EncryptedSecrets, Is.EqualTo("sealed"));
    }

    [Test]
    public void Completing_drops_the_credentials()
    {
        var job = NewJob();
        job.Claim(T0, Lease);

        job.Complete(new DeliveryResult("ftp://host/file.csv"), 3, 100, "abc", T0.AddMinutes(1));

        Assert.That(job.EncryptedSecrets, Is.Null);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Failing_drops_the_credentials(bool claimedFirst)
    {
        var job = NewJob();
        if (claimedFirst)
        {
            job.Claim(T0, Lease);
        }

        job.Fail(ErrorCodes.EnqueueFailed, "Could not be queued.", T0.AddMinutes(1));

        Assert.That(job.EncryptedSecrets, Is.Null);
    }

    private static ExportJob NewJob() =>
        ExportJob.FromRow(new ExportJobRow { PartitionKey = TestAccounts.Demo, RowKey = JobIds.New(T0), Name = "report", TotalItems = 3, CreatedAt = T0, EncryptedSecrets = "sealed" }, TestAccounts.LegacyOwnerId);
}
