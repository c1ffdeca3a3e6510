// Operations: an action group (e-mail), four log alerts on the app's OpenTelemetry metrics and spans in the Log
// Analytics workspace behind Application Insights (tables AppMetrics and AppRequests), and a workbook. README.md's
// "Operations" section says what each metric and alert means and what to do.

param location string
param tags object
param token string
param logAnalyticsName string

@description('Receiver of the alerts; empty for an action group without receivers.')
param alertEmail string

@description('Alert above this percentage of failed export attempts in 30 minutes.')
param failureRatePercent int

@description('Alert when the 95th percentile of export attempts over an hour exceeds this many seconds.')
param exportP95Seconds int

@description('Alert when a scheduled run was queued this many seconds or more after its slot.')
param scheduleLagSeconds int = 300

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: logAnalyticsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-ops-${token}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'atops'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operators'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

// Each alert: its KQL (one row per dimension, a measure column), the threshold on that column, when it is evaluated.
var rules = [
  {
    name: 'poison-queue'
    displayName: 'AudienceTrends: a poison queue holds a message'
    description: 'A -poison or -poison-poison queue held a message when maintenance last read it (hourly): its job or webhook event could not be handled five times. See README.md, Operations.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT1H'
    measure: 'depth'
    threshold: 0
    dimensions: ['queue']
    query: '''
AppMetrics
| where Name == "audiencetrends.queue.depth"
| extend queue = tostring(Properties["messaging.destination.name"])
| where queue endswith "-poison" or queue endswith "-poison-poison"
| summarize depth = max(Sum / ItemCount) by queue
'''
  }
  {
    name: 'export-failure-rate'
    displayName: 'AudienceTrends: export failure rate'
    description: 'More than the threshold percentage of export attempts in 30 minutes ended failure (permanent) or error (retried), at least 3 attempts. See README.md, Operations.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT30M'
    measure: 'failurePercent'
    threshold: failureRatePercent
    dimensions: []
    query: '''
AppMetrics
| where Name == "audiencetrends.export.duration"
| extend result = tostring(Properties["audiencetrends.export.result"])
| summarize attempts = sum(ItemCount), failed = sumif(ItemCount, result in ("failure", "error"))
| where attempts >= 3
| extend failurePercent = 100.0 * failed / attempts
'''
  }
  {
    name: 'schedule-lag'
    displayName: 'AudienceTrends: schedule lag over 5 minutes'
    description: 'A scheduled run was queued 5 minutes or more after its slot time (audiencetrends.schedule.lag). See README.md, Operations.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    measure: 'lagSeconds'
    threshold: scheduleLagSeconds
    dimensions: []
    query: '''
AppMetrics
| where Name == "audiencetrends.schedule.lag"
| summarize lagSeconds = max(coalesce(Max, Sum / ItemCount))
'''
  }
  {
    name: 'export-p95'
    displayName: 'AudienceTrends: export p95 duration'
    description: 'The 95th percentile of export attempts\' duration (the worker\'s process spans) over an hour exceeds the threshold. See README.md, Operations.'
    severity: 3
    frequency: 'PT15M'
    window: 'PT1H'
    measure: 'p95Seconds'
    threshold: exportP95Seconds
    dimensions: []
    query: '''
AppRequests
| where Name startswith "process " and isnotempty(tostring(Properties["audiencetrends.export.result"]))
| summarize p95Seconds = percentile(DurationMs, 95) / 1000.0
'''
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: 'alert-${rule.name}-${token}'
    location: location
    tags: tags
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [workspace.id]
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: ['*']
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [actionGroup.id]
      }
    }
  }
]

// The workbook's four charts, each a KQL query over the workspace.
var charts = [
  {
    title: 'Jobs by status (Pending, Processing; counted hourly by maintenance)'
    visualization: 'timechart'
    query: '''
AppMetrics
| where Name == "audiencetrends.jobs.active"
| extend status = tostring(Properties["audiencetrends.job.status"])
| summarize jobs = max(Sum / ItemCount) by status, bin(TimeGenerated, 1h)
'''
  }
  {
    title: 'Export durations by destination (seconds: mean and worst per hour)'
    visualization: 'table'
    query: '''
AppMetrics
| where Name == "audiencetrends.export.duration"
| extend destination = tostring(Properties["audiencetrends.destination.kind"]), format = tostring(Properties["audiencetrends.export.format"])
| summarize attempts = sum(ItemCount), meanSeconds = round(sum(Sum) / sum(ItemCount), 1), worstSeconds = round(max(Max), 1) by destination, format, bin(TimeGenerated, 1h)
| order by TimeGenerated desc
'''
  }
  {
    title: 'Failures by error code'
    visualization: 'barchart'
    query: '''
AppMetrics
| where Name == "audiencetrends.export.duration"
| extend result = tostring(Properties["audiencetrends.export.result"]), errorCode = tostring(Properties["error.type"]), destination = tostring(Properties["audiencetrends.destination.kind"])
| where result in ("failure", "error")
| summarize attempts = sum(ItemCount) by errorCode, destination
| order by attempts desc
'''
  }
  {
    title: 'Queue depths (poison queues included; read hourly by maintenance)'
    visualization: 'timechart'
    query: '''
AppMetrics
| where Name == "audiencetrends.queue.depth"
| extend queue = tostring(Properties["messaging.destination.name"])
| summarize messages = max(Sum / ItemCount) by queue, bin(TimeGenerated, 1h)
'''
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'title'
        content: {
          json: '## AudienceTrends operations\nJobs, export durations and failures, and queues, from the app\'s OpenTelemetry metrics. README.md, Operations, says what each means.'
        }
      }
    ],
    map(range(0, length(charts)), i => {
      type: 3
      name: 'chart-${i}'
      content: {
        version: 'KqlItem/1.0'
        title: charts[i].title
        query: charts[i].query
        size: 0
        timeContext: {
          durationMs: 604800000
        }
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        visualization: charts[i].visualization
      }
    })
  )
  fallbackResourceIds: [workspace.id]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'audiencetrends-operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'AudienceTrends operations'
    category: 'workbook'
    sourceId: workspace.id
    serializedData: string(workbookContent)
  }
}

output actionGroupId string = actionGroup.id
output alertNames string[] = [for (rule, i) in rules: alerts[i].name]
output workbookName string = workbook.name
