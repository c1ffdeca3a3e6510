using System.Text.Json;
using AudienceTrends.Core.Common.Telemetry;

namespace AudienceTrends.Tests.Infra;

/// <summary>
/// modules/alerts.bicep, compiled by the Bicep CLI: the action group mails the <c>alertEmail</c> parameter, the four
/// alerts watch what the app emits (the metric and attribute names are the code's own constants) with their
/// thresholds, the workbook charts jobs by status, durations by destination, failures by error code and queue depths,
/// and main.bicep wires it all to azd's environment.
/// </summary>
public partial class BicepTests
{
    [Test]
    public async Task The_action_group_mails_the_alert_email_parameter_and_every_alert_notifies_it()
    {
        var template = await BuildTemplateAsync(Path.Combine("modules", "alerts.bicep"));
        var resources = template.GetProperty("resources");
        var group = resources.GetProperty("actionGroup");
        var alerts = resources.GetProperty("alerts");

        Assert.Multiple(() =>
        {
            Assert.That(group.GetProperty("type").GetString(), Is.EqualTo("Microsoft.Insights/actionGroups"));
            Assert.That(group.GetProperty("properties").GetProperty("emailReceivers").GetString(),
                Does.Contain("'emailAddress', parameters('alertEmail')").And.StartWith("[if(empty(parameters('alertEmail')), createArray()"),
                "one e-mail receiver, the parameter; none when it is empty");
            Assert.That(alerts.GetProperty("type").GetString(), Is.EqualTo("Microsoft.Insights/scheduledQueryRules"));
            Assert.That(alerts.GetProperty("copy").GetProperty("count").GetString(), Is.EqualTo("[length(variables('rules'))]"), "one alert per rule");
            Assert.That(alerts.GetProperty("properties").GetProperty("actions").GetProperty("actionGroups")[0].GetString(),
                Is.EqualTo("[resourceId('Microsoft.Insights/actionGroups', format('ag-ops-{0}', parameters('token')))]"));
            Assert.That(alerts.GetProperty("properties").GetProperty("scopes")[0].GetString(),
                Is.EqualTo("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]"), "the workspace behind Application Insights");
        });
    }

    [Test]
    public async Task The_four_alerts_watch_poison_queues_failure_rate_schedule_lag_and_export_p95_with_their_thresholds()
    {
        var template = await BuildTemplateAsync(Path.Combine("modules", "alerts.bicep"));
        var rules = template.GetProperty("variables").GetProperty("rules").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r);
        string Query(string name) => rules[name].GetProperty("query").GetString()!;
        string Threshold(string name) => rules[name].GetProperty("threshold").ToString();

        Assert.Multiple(() =>
        {
            Assert.That(rules.Keys, Is.EquivalentTo(new[] { "poison-queue", "export-failure-rate", "schedule-lag", "export-p95" }));
            Assert.That(Query("poison-queue"), Does.Contain($"Name == \"{AppMetrics.QueueDepth}\"")
                .And.Contain($"Properties[\"{AppTelemetry.QueueName}\"]").And.Contain("endswith \"-poison\"").And.Contain("endswith \"-poison-poison\""));
            Assert.That(Threshold("poison-queue"), Is.EqualTo("0"), "any message");
            Assert.That(rules["poison-queue"].GetProperty("dimensions")[0].GetString(), Is.EqualTo("queue"), "one alert per queue");
            Assert.That(Query("export-failure-rate"), Does.Contain($"Name == \"{AppMetrics.ExportDuration}\"")
                .And.Contain($"Properties[\"{AppTelemetry.Result}\"]").And.Contain($"result in (\"{AppMetrics.Failure}\", \"{AppMetrics.Error}\")"));
            Assert.That(Threshold("export-failure-rate"), Is.EqualTo("[parameters('failureRatePercent')]"));
            Assert.That(Query("schedule-lag"), Does.Contain($"Name == \"{AppMetrics.ScheduleLag}\""));
            Assert.That(Threshold("schedule-lag"), Is.EqualTo("[parameters('scheduleLagSeconds')]"));
            Assert.That(template.GetProperty("parameters").GetProperty("scheduleLagSeconds").GetProperty("defaultValue").GetInt32(), Is.EqualTo(300), "5 minutes");
            Assert.That(Query("export-p95"), Does.Contain("AppRequests").And.Contain("percentile(DurationMs, 95)").And.Contain($"Properties[\"{AppTelemetry.Result}\"]"),
                "from the worker's spans: Azure Monitor keeps a histogram's sum, count, min and max, not its buckets");
            Assert.That(Threshold("export-p95"), Is.EqualTo("[parameters('exportP95Seconds')]"));
            foreach (var (name, rule) in rules)
            {
                var measure = rule.GetProperty("measure").GetString();
                Assert.That(Query(name), Does.Contain($"summarize {measure} =").Or.Contain($"extend {measure} ="), $"{name} computes the column its threshold reads");
            }
        });
    }

    [Test]
    public async Task The_workbook_charts_jobs_by_status_durations_by_destination_failures_by_error_code_and_queue_depths()
    {
        var template = await BuildTemplateAsync(Path.Combine("modules", "alerts.bicep"));
        var charts = template.GetProperty("variables").GetProperty("charts").EnumerateArray()
            .Select(c => c.GetProperty("query").GetString()!).ToList();
        var workbook = template.GetProperty("resources").GetProperty("workbook");

        Assert.Multiple(() =>
        {
            Assert.That(workbook.GetProperty("type").GetString(), Is.EqualTo("Microsoft.Insights/workbooks"));
            Assert.That(workbook.GetProperty("properties").GetProperty("serializedData").GetString(), Is.EqualTo("[string(variables('workbookContent'))]"));
            Assert.That(charts, Has.Count.EqualTo(4));
            Assert.That(charts[0], Does.Contain(AppMetrics.JobsActive).And.Contain(AppTelemetry.JobStatus));
            Assert.That(charts[1], Does.Contain(AppMetrics.ExportDuration).And.Contain(AppTelemetry.DestinationKind).And.Contain("by destination"));
            Assert.That(charts[2], Does.Contain(AppMetrics.ExportDuration).And.Contain(AppTelemetry.ErrorType).And.Contain("by errorCode"));
            Assert.That(charts[3], Does.Contain(AppMetrics.QueueDepth).And.Contain(AppTelemetry.QueueName).And.Contain("by queue"));
        });
    }

    [Test]
    public async Task Main_deploys_the_alerts_on_the_workspace_with_azds_alert_settings()
    {
        var main = await BuildMainTemplateAsync();
        using var parametersFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "main.parameters.json")));
        var given = parametersFile.RootElement.GetProperty("parameters");
        var alerts = main.GetProperty("resources").GetProperty("alerts").GetProperty("properties").GetProperty("parameters");

        Assert.Multiple(() =>
        {
            Assert.That(alerts.GetProperty("logAnalyticsName").GetProperty("value").GetString(), Is.EqualTo("[reference('monitoring').outputs.logAnalyticsName.value]"));
            Assert.That(alerts.GetProperty("alertEmail").GetProperty("value").GetString(), Is.EqualTo("[parameters('alertEmail')]"));
            Assert.That(given.GetProperty("alertEmail").GetProperty("value").GetString(), Is.EqualTo("${ALERT_EMAIL}"));
            Assert.That(given.GetProperty("alertFailureRatePercent").GetProperty("value").GetString(), Is.EqualTo("${ALERT_FAILURE_RATE_PERCENT=20}"));
            Assert.That(given.GetProperty("alertExportP95Seconds").GetProperty("value").GetString(), Is.EqualTo("${ALERT_EXPORT_P95_SECONDS=900}"));
        });
    }

    private async Task<JsonElement> BuildTemplateAsync(string file)
    {
        var outputDirectory = Path.Combine(_outputDirectory, "module-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outputDirectory);
        var (exitCode, output) = await RunBicepAsync("build", Path.Combine(InfraDirectory, file), "--outdir", outputDirectory);
        Assert.That(exitCode, Is.Zero, output);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outputDirectory, Path.ChangeExtension(Path.GetFileName(file), ".json"))));
        return document.RootElement.Clone();
    }
}
