using System.Reflection;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// The <c>functions.metadata</c> the build writes is what the host binds. It must agree with the code's attributes,
/// with the routes clients call, and with the settings <c>local.settings.sample.json</c> provides.
/// </summary>
public sealed class FunctionsMetadataContractTests
{
    private static readonly IReadOnlyList<FunctionMetadata> Functions = FunctionMetadata.Load();

    private static readonly JsonObject SampleSettings =
        JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.sample.json")))!["Values"]!.AsObject();

    private static readonly JsonNode HostJson = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json")))!;

    [Test]
    public void The_app_has_exactly_the_expected_functions_and_triggers()
    {
        var actual = Functions.ToDictionary(f => f.Name, f => f.Trigger.Type);
        Assert.That(actual, Is.EquivalentTo(new Dictionary<string, string>
        {
            [nameof(CreateExportFunction.CreateExport)] = "httpTrigger",
            [nameof(JobsFunctions.GetJob)] = "httpTrigger",
            [nameof(JobsFunctions.CancelJob)] = "httpTrigger",
            [nameof(JobsFunctions.ListJobs)] = "httpTrigger",
            [nameof(ExportWorkerFunction.ProcessExportJob)] = "queueTrigger",
            [nameof(ExportWorkerFunction.FailPoisonedExportJob)] = "queueTrigger",
            [nameof(MaintenanceFunction.RunMaintenance)] = "timerTrigger",
            [nameof(LeaseSweepFunction.SweepExpiredLeases)] = "timerTrigger",
            [nameof(TestDestinationFunction.TestDestination)] = "httpTrigger",
            [nameof(WebhookFunction.SendWebhookEvent)] = "queueTrigger",
            [nameof(WebhookFunction.FailPoisonedWebhookEvent)] = "queueTrigger",
            [nameof(SftpKeysFunctions.CreateSftpKey)] = "httpTrigger",
            [nameof(SftpKeysFunctions.ListSftpKeys)] = "httpTrigger",
            [nameof(SftpKeysFunctions.GetSftpKey)] = "httpTrigger",
            [nameof(SftpKeysFunctions.DeleteSftpKey)] = "httpTrigger",
            [nameof(AccountsFunctions.CreateAccount)] = "httpTrigger",
            [nameof(AccountsFunctions.ListAccounts)] = "httpTrigger",
            [nameof(AccountsFunctions.GetAccount)] = "httpTrigger",
            [nameof(AccountsFunctions.DisableAccount)] = "httpTrigger",
            [nameof(AccountsFunctions.CreateApiKey)] = "httpTrigger",
            [nameof(AccountsFunctions.ListApiKeys)] = "httpTrigger",
            [nameof(AccountsFunctions.RevokeApiKey)] = "httpTrigger",
            [nameof(SchedulesFunctions.CreateSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.ListSchedules)] = "httpTrigger",
            [nameof(SchedulesFunctions.GetSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.DeleteSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.PauseSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.ResumeSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.RunSchedule)] = "httpTrigger",
            [nameof(SchedulesFunctions.BackfillSchedule)] = "httpTrigger",
            [nameof(SchedulerFunction.RunScheduler)] = "timerTrigger",
            [nameof(HealthFunctions.GetHealth)] = "httpTrigger",
            [nameof(HealthFunctions.GetHealthDetails)] = "httpTrigger",
            [nameof(AudienceTrendsFunction.GetAudienceTrends)] = "httpTrigger",
            [nameof(UiFunction.Ui)] = "httpTrigger",
        }));
    }

    [TestCase(nameof(CreateExportFunction.CreateExport), "v2/audiencetrendsexport", "POST")]
    [TestCase(nameof(JobsFunctions.GetJob), "v2/jobs/{id}", "GET")]
    [TestCase(nameof(JobsFunctions.CancelJob), "v2/jobs/{id}/cancel", "POST")]
    [TestCase(nameof(JobsFunctions.ListJobs), "v2/jobs", "GET")]
    [TestCase(nameof(TestDestinationFunction.TestDestination), "v2/destinations/test", "POST")]
    [TestCase(nameof(HealthFunctions.GetHealth), "v2/health", "GET")]
    [TestCase(nameof(SftpKeysFunctions.CreateSftpKey), "v2/sftpkeys", "POST")]
    [TestCase(nameof(SftpKeysFunctions.ListSftpKeys), "v2/sftpkeys", "GET")]
    [TestCase(nameof(SftpKeysFunctions.GetSftpKey), "v2/sftpkeys/{name}", "GET")]
    [TestCase(nameof(SftpKeysFunctions.DeleteSftpKey), "v2/sftpkeys/{name}", "DELETE")]
    [TestCase(nameof(SchedulesFunctions.CreateSchedule), "v2/schedules", "POST")]
    [TestCase(nameof(SchedulesFunctions.ListSchedules), "v2/schedules", "GET")]
    [TestCase(nameof(SchedulesFunctions.GetSchedule), "v2/schedules/{id}", "GET")]
    [TestCase(nameof(SchedulesFunctions.DeleteSchedule), "v2/schedules/{id}", "DELETE")]
    [TestCase(nameof(SchedulesFunctions.PauseSchedule), "v2/schedules/{id}/pause", "POST")]
    [TestCase(nameof(SchedulesFunctions.ResumeSchedule), "v2/schedules/{id}/resume", "POST")]
    [TestCase(nameof(SchedulesFunctions.RunSchedule), "v2/schedules/{id}/run", "POST")]
    [TestCase(nameof(SchedulesFunctions.BackfillSchedule), "v2/schedules/{id}/backfill", "POST")]
    [TestCase(nameof(AudienceTrendsFunction.GetAudienceTrends), "v2/audiencetrends", "GET")]
    public void Customer_functions_have_the_public_routes_and_methods_and_leave_authentication_to_the_account_key(string name, string route, string method)
    {
        var trigger = Functions.Single(f => f.Name == name).Trigger;
        Assert.Multiple(() =>
        {
            Assert.That(trigger.Route, Is.EqualTo(route));
            Assert.That(trigger.Methods, Is.EqualTo(new[] { method }));
            Assert.That(trigger.AuthLevel, Is.EqualTo("Anonymous"),
                "no function key on top of the account key: the reference API's clients send only Basic <key>:");
        });
        Assert.That(HostJson["extensions"]!["http"]!["routePrefix"]!.GetValue<string>(), Is.Empty,
            "host.json removes the api/ prefix so paths are exactly /v2/...");
    }

    [TestCase(nameof(AccountsFunctions.CreateAccount), "v2/accounts", "POST")]
    [TestCase(nameof(AccountsFunctions.ListAccounts), "v2/accounts", "GET")]
    [TestCase(nameof(AccountsFunctions.GetAccount), "v2/accounts/{id}", "GET")]
    [TestCase(nameof(AccountsFunctions.DisableAccount), "v2/accounts/{id}/disable", "POST")]
    [TestCase(nameof(AccountsFunctions.CreateApiKey), "v2/accounts/{id}/keys", "POST")]
    [TestCase(nameof(AccountsFunctions.ListApiKeys), "v2/accounts/{id}/keys", "GET")]
    [TestCase(nameof(AccountsFunctions.RevokeApiKey), "v2/accounts/{id}/keys/{keyId}/revoke", "POST")]
    public void Operator_functions_need_the_hosts_master_key(string name, string route, string method)
    {
        var trigger = Functions.Single(f => f.Name == name).Trigger;
        Assert.Multiple(() =>
        {
            Assert.That(trigger.Route, Is.EqualTo(route));
            Assert.That(trigger.Methods, Is.EqualTo(new[] { method }));
            Assert.That(trigger.AuthLevel, Is.EqualTo("Admin"), "a function key must not manage accounts");
        });
    }

    [Test]
    public void Every_entry_point_is_a_method_whose_attributes_say_what_the_metadata_says()
    {
        foreach (var function in Functions)
        {
            var split = function.EntryPoint.LastIndexOf('.');
            var type = typeof(CreateExportFunction).Assembly.GetType(function.EntryPoint[..split]);
            var method = type?.GetMethod(function.EntryPoint[(split + 1)..]);
            Assert.That(method, Is.Not.Null, function.EntryPoint);
            Assert.That(method!.GetCustomAttribute<FunctionAttribute>()?.Name, Is.EqualTo(function.Name));

            var parameter = method.GetParameters().Single(p => p.Name == function.Trigger.Name);
            switch (parameter.GetCustomAttributes().Single(a => a.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal)))
            {
                case HttpTriggerAttribute http:
                    Assert.That(http.Route, Is.EqualTo(function.Trigger.Route));
                    Assert.That(http.Methods!.Select(m => m.ToUpperInvariant()), Is.EqualTo(function.Trigger.Methods));
                    Assert.That(http.AuthLevel.ToString(), Is.EqualTo(function.Trigger.AuthLevel));
                    break;
                case QueueTriggerAttribute queue:
                    Assert.That(queue.QueueName, Is.EqualTo(function.Trigger.QueueName));
                    Assert.That(queue.Connection, Is.EqualTo(function.Trigger.Connection));
                    break;
                case TimerTriggerAttribute timer:
                    Assert.That(timer.Schedule, Is.EqualTo(function.Trigger.Schedule));
                    Assert.That(timer.RunOnStartup, Is.EqualTo(function.Trigger.RunOnStartup));
                    break;
                default:
                    Assert.Fail($"{function.Name} has an unexpected trigger.");
                    break;
            }
        }
    }

    [Test]
    public void Queue_triggers_read_the_queue_the_app_writes_through_settings_the_sample_provides()
    {
        var queueName = SampleSettings["Jobs__QueueName"]!.GetValue<string>();
        Assert.That(queueName, Is.EqualTo(new JobsOptions().QueueName), "the sample uses the app's default queue");

        var work = Functions.Single(f => f.Name == nameof(ExportWorkerFunction.ProcessExportJob)).Trigger;
        var poison = Functions.Single(f => f.Name == nameof(ExportWorkerFunction.FailPoisonedExportJob)).Trigger;
        Assert.Multiple(() =>
        {
            Assert.That(Resolve(work.QueueName!), Is.EqualTo(queueName));
            Assert.That(Resolve(poison.QueueName!), Is.EqualTo(queueName + "-poison"), "the host's poison queue name");
            foreach (var trigger in new[] { work, poison })
            {
                Assert.That(trigger.Connection, Is.EqualTo("AzureWebJobsStorage"));
                Assert.That(SampleSettings.ContainsKey(trigger.Connection!), Is.True, "the sample sets the trigger's connection");
            }
        });
    }

    [Test]
    public void The_webhook_trigger_reads_the_events_queue_the_sender_writes()
    {
        var queueName = SampleSettings["Webhooks__QueueName"]!.GetValue<string>();
        var trigger = Functions.Single(f => f.Name == nameof(WebhookFunction.SendWebhookEvent)).Trigger;
        var poison = Functions.Single(f => f.Name == nameof(WebhookFunction.FailPoisonedWebhookEvent)).Trigger;
        Assert.Multiple(() =>
        {
            Assert.That(queueName, Is.EqualTo(new Core.Webhooks.WebhookOptions().QueueName), "the sample uses the app's default queue");
            Assert.That(Resolve(trigger.QueueName!), Is.EqualTo(queueName));
            Assert.That(Resolve(poison.QueueName!), Is.EqualTo(queueName + "-poison"), "the host's poison queue name");
            Assert.That(trigger.Connection, Is.EqualTo("AzureWebJobsStorage"));
            Assert.That(poison.Connection, Is.EqualTo("AzureWebJobsStorage"));
        });
    }

    [Test]
    public void Timer_schedules_are_six_field_ncrontab_expressions()
    {
        foreach (var timer in Functions.Where(f => f.Trigger.Type == "timerTrigger").Select(f => f.Trigger))
        {
            Assert.That(timer.Schedule!.Split(' '), Has.Length.EqualTo(6), timer.Schedule);
        }
    }

    [Test]
    public void The_expired_lease_sweep_runs_every_minute_and_when_the_host_starts()
    {
        var sweep = Functions.Single(f => f.Name == nameof(LeaseSweepFunction.SweepExpiredLeases)).Trigger;
        Assert.Multiple(() =>
        {
            Assert.That(sweep.Schedule, Is.EqualTo("0 * * * * *"));
            Assert.That(sweep.RunOnStartup, Is.True, "a job whose worker died before a restart is taken over at start");
        });
    }

    /// <summary>Resolves <c>%Section:Key%</c> as the host would from the sample's <c>Section__Key</c> value.</summary>
    private static string Resolve(string expression) =>
        System.Text.RegularExpressions.Regex.Replace(expression, "%([^%]+)%",
            m => SampleSettings[m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal)]?.GetValue<string>()
                 ?? throw new AssertionException($"local.settings.sample.json does not set {m.Groups[1].Value}"));
}
