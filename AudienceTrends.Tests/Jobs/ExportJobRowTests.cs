using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// The job row as the table SDK writes and reads it (real Azurite): the columns an operator reads keep their names
/// and values, and a row written outside this code (an older version, an operator) is read back whole, status and
/// all, although only the transitions may set those columns in code.
/// </summary>
public sealed class ExportJobRowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private JobStoreFixture _jobs = null!;

    [SetUp]
    public async Task CreateTable() => _jobs = await JobStoreFixture.CreateAsync();

    [TearDown]
    public Task DeleteTable() => _jobs.DeleteAsync();

    [Test]
    public async Task A_finished_job_is_stored_in_plain_columns_and_read_back_whole()
    {
        var job = new ExportJob { Account = TestAccounts.DemoId, Id = JobIds.New(T0), Name = "report", TotalItems = 2, CreatedAt = T0 };
        await _jobs.Store.AddAsync(job, CancellationToken.None);
        job.Claim(T0, TimeSpan.FromMinutes(5));
        job.RecordTransientFailure("IOException: reset", T0 + TimeSpan.FromSeconds(1));
        job.Claim(T0 + TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5));
        job.Complete(new DeliveryResult("sftp://host/out/report.csv") { Details = new Dictionary<string, string> { ["hostKeyFingerprint"] = "SHA256:abc" } }, 2, 90, "ab12",
            T0 + TimeSpan.FromMinutes(1));
        Assert.That(await _jobs.Store.TryUpdateAsync(job, CancellationToken.None), Is.True);

        var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("Status"), Is.EqualTo("Done"));
            Assert.That(row.GetInt32("Attempts"), Is.EqualTo(2));
            Assert.That(row.GetInt32("CompletedItems"), Is.EqualTo(2));
            Assert.That(row.GetDateTimeOffset("StartedAt"), Is.EqualTo(T0 + TimeSpan.FromSeconds(2)), "the last attempt's start");
            Assert.That(row.GetDateTimeOffset("EndedAt"), Is.EqualTo(T0 + TimeSpan.FromMinutes(1)));
            Assert.That(row.ContainsKey("LeaseUntil") && row["LeaseUntil"] is not null, Is.False, "no lease once finished");
            Assert.That(row.GetInt64("ResultRows"), Is.EqualTo(2));
            Assert.That(row.GetInt64("ResultBytes"), Is.EqualTo(90));
            Assert.That(row.GetString("ResultSha256"), Is.EqualTo("ab12"));
            Assert.That(row.GetString("ResultLocation"), Is.EqualTo("sftp://host/out/report.csv"));
            Assert.That(row.GetString("ResultFileName"), Is.EqualTo("report.csv"));
            Assert.That(row.GetString("ResultDetails"), Is.EqualTo("""{"hostKeyFingerprint":"SHA256:abc"}"""));
            Assert.That(row.GetString("LastError"), Is.EqualTo("IOException: reset"));
            Assert.That(row.Keys, Has.None.EqualTo("IsFinished").And.None.EqualTo("Id"));
        });

        var read = (await _jobs.Store.GetAsync(TestAccounts.DemoId, job.Id, CancellationToken.None))!;
        Assert.That(Life(read), Is.EqualTo(Life(job)));
    }

    [Test]
    public async Task A_row_written_outside_this_code_is_read_with_its_status_and_life_columns()
    {
        var id = JobIds.New(T0);
        await _jobs.Table.AddEntityAsync(new TableEntity(TestAccounts.Demo, id)
        {
            ["JobName"] = ExportJob.ExportJobName,
            ["Name"] = "report",
            ["ExportType"] = "csv",
            ["Status"] = "Failed",
            ["DestinationType"] = "aws",
            ["DestinationSecure"] = false,
            ["FirstDay"] = "2026-11-01",
            ["LastDay"] = "2026-11-02",
            ["TotalItems"] = 2,
            ["CompletedItems"] = 1,
            ["CreatedAt"] = T0,
            ["StartedAt"] = T0 + TimeSpan.FromSeconds(1),
            ["EndedAt"] = T0 + TimeSpan.FromMinutes(3),
            ["Attempts"] = 5,
            ["ErrorCode"] = ErrorCodes.RetriesExhausted,
            ["ErrorMessage"] = "Given up. Last error: IOException: reset",
            ["LastError"] = "IOException: reset",
        });

        var job = (await _jobs.Store.GetAsync(TestAccounts.DemoId, id, CancellationToken.None))!;

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
            Assert.That(job.IsFinished, Is.True);
            Assert.That(job.Attempts, Is.EqualTo(5));
            Assert.That(job.CompletedItems, Is.EqualTo(1));
            Assert.That(job.StartedAt, Is.EqualTo(T0 + TimeSpan.FromSeconds(1)));
            Assert.That(job.EndedAt, Is.EqualTo(T0 + TimeSpan.FromMinutes(3)));
            Assert.That(job.ErrorCode, Is.EqualTo(ErrorCodes.RetriesExhausted));
            Assert.That(job.ErrorMessage, Is.EqualTo("Given up. Last error: IOException: reset"));
            Assert.That(job.LastError, Is.EqualTo("IOException: reset"));
        });
        Assert.That(() => job.Claim(T0 + TimeSpan.FromDays(1), TimeSpan.FromMinutes(5)), Throws.InvalidOperationException,
            "the status read from the row governs the transitions");
    }

    private static object Life(ExportJob j) => (j.Status, j.Attempts, j.StartedAt, j.EndedAt, j.LeaseUntil, j.CompletedItems,
        (j.ResultRows, j.ResultBytes, j.ResultSha256, j.ResultLocation, j.ResultFileName, j.ResultDetails),
        (j.ErrorCode, j.ErrorMessage, j.LastError));
}
