using System.Globalization;
using System.Text.Json;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// What the schedules API does, one method per route, for one account (another account's schedule is "not found",
/// exactly as one that does not exist): create, read, list, delete, pause, resume, run now and backfill.
/// </summary>
public sealed class ScheduleCommands(
    ScheduleRequestParser parser,
    WebhookHosts webhookHosts,
    IAudienceTrendSource source,
    ScheduleStore schedules,
    ScheduleRuns runs,
    ScheduleViews views,
    SecretProtector protector,
    TimeProvider time,
    IOptions<SchedulesOptions> options,
    IOptions<JobsOptions> jobs,
    ILogger<ScheduleCommands> logger)
{
    private const int BackfillParallelism = 8;

    public async Task<ScheduleOutcome> CreateAsync(AccountId account, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (request, errors) = await parser.ParseAndCheckAsync(body, account, cancellationToken);
        if (request?.Export.Webhook is { } webhook && await webhookHosts.ProblemAsync(webhook.Url, cancellationToken) is { } problem)
        {
            var path = ScheduleRequestParser.ExportPrefix + WebhookField.Name + "." + WebhookField.UrlField;
            errors.Add(path, $"{path} {problem}");
        }

        if (request is not null)
        {
            // As a job's intake does: every audience must be the account's own, named at creation, not at the first run.
            var unknown = (await source.FindUnknownAsync(account, request.Export.Audiences, cancellationToken)).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < request.Export.Audiences.Count; i++)
            {
                if (unknown.Contains(request.Export.Audiences[i]))
                {
                    errors.Add($"{ScheduleRequestParser.ExportPrefix}audiences[{i}]", $"Unknown audience \"{request.Export.Audiences[i]}\".");
                }
            }
        }

        if (request is null || errors.HasErrors)
        {
            return new ScheduleOutcome.Invalid(errors);
        }

        var limit = options.Value.MaxPerAccount;
        if ((await schedules.ListAsync(account, cancellationToken)).Count >= limit)
        {
            return new ScheduleOutcome.TooMany(limit);
        }

        var now = time.GetUtcNow();
        var schedule = ScheduleRecord.Create(account, "sch_" + Guid.NewGuid().ToString("N"), request, now, protector);
        if (!await schedules.TryAddAsync(schedule, cancellationToken))
        {
            throw new InvalidOperationException($"A new schedule id was already taken: {schedule.Id}.");
        }

        logger.LogInformation("Created schedule {ScheduleId} {ScheduleName} for account {AccountId}: {Cron} in {TimeZone}, first run {NextRun}",
            schedule.Id, schedule.Name, account.Value, schedule.Cron, schedule.TimeZone, schedule.NextRun);
        return new ScheduleOutcome.Found(views.ToView(schedule));
    }

    public async Task<ScheduleOutcome> GetAsync(AccountId account, string id, CancellationToken cancellationToken) =>
        await schedules.GetAsync(account, id, cancellationToken) is { } schedule
            ? new ScheduleOutcome.Found(views.ToView(schedule))
            : new ScheduleOutcome.NotFound();

    public async Task<IReadOnlyList<ScheduleView>> ListAsync(AccountId account, CancellationToken cancellationToken) =>
        [.. (await schedules.ListAsync(account, cancellationToken)).OrderByDescending(s => s.CreatedAt).Select(views.ToView)];

    /// <summary>Deletes the schedule and its secrets; its past jobs and their files stay.</summary>
    public Task<bool> DeleteAsync(AccountId account, string id, CancellationToken cancellationToken) =>
        schedules.DeleteAsync(account, id, cancellationToken);

    public Task<ScheduleOutcome> PauseAsync(AccountId account, string id, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, s => s.Pause(), cancellationToken);

    public Task<ScheduleOutcome> ResumeAsync(AccountId account, string id, CancellationToken cancellationToken) =>
        ChangeAsync(account, id, s => s.Resume(time.GetUtcNow()), cancellationToken);

    /// <summary>One run now, outside the cron: the slot is the current minute, with the window of its local date.</summary>
    public async Task<ScheduleOutcome> RunNowAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        if (await schedules.GetAsync(account, id, cancellationToken) is not { } schedule)
        {
            return new ScheduleOutcome.NotFound();
        }

        var run = await runs.RunAsync(schedule, runs.TemplateOf(schedule), ScheduleTables.Minute(time.GetUtcNow()), cancellationToken);
        await schedules.ApplyAsync(schedule, s =>
        {
            s.RecordRun(run.Slot, run.JobId, run.Status);
            return true;
        }, cancellationToken);
        return new ScheduleOutcome.Ran([run]);
    }

    /// <summary>
    /// One job for each slot in the body's <c>from</c>..<c>to</c> (UTC instants, both included) that has none; the
    /// slots that already have a job are left as they are. Only the jobs created now are returned.
    /// </summary>
    public async Task<ScheduleOutcome> BackfillAsync(AccountId account, string id, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (range, errors) = ExportRequestParser.ParseBody<((DateTimeOffset From, DateTimeOffset To)?, RequestErrors)>(
            body.Span, ReadRange, e => (null, e));
        if (await schedules.GetAsync(account, id, cancellationToken) is not { } schedule)
        {
            return new ScheduleOutcome.NotFound();
        }

        if (range is not { } r)
        {
            return new ScheduleOutcome.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var earliest = now.AddDays(1 - jobs.Value.RetentionDays);
        var (slots, problems) = Backfill.Slots(schedule.Timing, r.From, r.To, now, earliest, options.Value.MaxBackfillSlots);
        if (slots is null)
        {
            foreach (var (path, problem) in problems)
            {
                errors.Add(path, $"{path} {problem}");
            }

            return new ScheduleOutcome.Invalid(errors);
        }

        var template = runs.TemplateOf(schedule);
        var done = new SlotRun[slots.Count];
        await Parallel.ForAsync(0, slots.Count, new ParallelOptions { MaxDegreeOfParallelism = BackfillParallelism, CancellationToken = cancellationToken },
            async (i, ct) => done[i] = await runs.RunAsync(schedule, template, slots[i], ct));
        logger.LogInformation("Backfill of schedule {ScheduleId}: {SlotCount} slots in range, {JobCount} jobs queued",
            schedule.Id, slots.Count, done.Count(d => d.Created));
        return new ScheduleOutcome.Ran([.. done.Where(d => d.Created)]);
    }

    private async Task<ScheduleOutcome> ChangeAsync(AccountId account, string id, Func<ScheduleRecord, bool> change, CancellationToken cancellationToken)
    {
        if (await schedules.GetAsync(account, id, cancellationToken) is not { } schedule)
        {
            return new ScheduleOutcome.NotFound();
        }

        var saved = await schedules.ApplyAsync(schedule, change, cancellationToken);
        return saved is null ? new ScheduleOutcome.NotFound() : new ScheduleOutcome.Found(views.ToView(saved));
    }

    private static ((DateTimeOffset, DateTimeOffset)?, RequestErrors) ReadRange(JsonElement root, RequestErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(ExportRequestParser.BodyPath, "The request body must be a JSON object such as {\"from\": \"2026-11-01T00:00:00Z\", \"to\": \"2026-11-30T23:59:59Z\"}.");
            return (null, errors);
        }

        var fields = new JsonFields(root, "", errors);
        var from = Instant(fields, Backfill.FromField);
        var to = Instant(fields, Backfill.ToField);
        return from is null || to is null ? (null, errors) : ((from.Value, to.Value), errors);
    }

    private static DateTimeOffset? Instant(JsonFields fields, string field)
    {
        DateTimeOffset value = default;
        var text = fields.String(field, required: true, s =>
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
                ? null
                : "must be an ISO 8601 instant such as 2026-11-01T06:00:00Z.");
        return text is null ? null : value;
    }
}

/// <summary>What a schedules route answers.</summary>
public abstract record ScheduleOutcome
{
    public sealed record Found(ScheduleView Schedule) : ScheduleOutcome;

    public sealed record NotFound : ScheduleOutcome;

    public sealed record Invalid(RequestErrors Errors) : ScheduleOutcome;

    /// <summary>The account has <see cref="Limit"/> schedules already (<see cref="SchedulesOptions.MaxPerAccount"/>).</summary>
    public sealed record TooMany(int Limit) : ScheduleOutcome;

    /// <summary>The runs a run-now or a backfill queued (a backfill lists only the jobs it created).</summary>
    public sealed record Ran(IReadOnlyList<SlotRun> Runs) : ScheduleOutcome;
}
