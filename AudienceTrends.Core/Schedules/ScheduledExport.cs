using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A schedule's export as its row keeps it (<see cref="ScheduleRecord.ExportJson"/>): the template's non-secret part
/// as JSON, shaped like a job row's columns (the destination's settings as its kind wrote them, the webhook URL
/// without its query), and the secrets apart, encrypted (<see cref="ScheduleRecord.ProtectSecrets"/>). Each run reads
/// the template back (<see cref="ToTemplate"/>); the API shows <see cref="ToView"/>, which holds no secret.
/// </summary>
public static class ScheduledExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Stores <paramref name="template"/> on <paramref name="schedule"/>: the clear part, then the secrets encrypted.</summary>
    public static void Keep(ScheduleRecord schedule, ExportTemplate template, SecretProtector protector)
    {
        schedule.ExportJson = JsonSerializer.Serialize(new Stored(
            template.Name, template.ExportType, template.Layout, template.Compression, template.Destination.Type, template.Destination.ToJson(),
            template.Webhook?.StoredUrl, template.Audiences), Json);
        byte[]? destination = template.Secrets.IsEmpty ? null : template.Secrets.ToPayload();
        byte[]? webhookKey = template.Webhook is { } webhook ? [.. webhook.Key] : null;
        schedule.ProtectSecrets(protector, destination, webhookKey, template.Webhook?.Query);
    }

    /// <summary>The template a run exports, secrets decrypted (the caller's request holds them only for the run's intake).</summary>
    public static ExportTemplate ToTemplate(ScheduleRecord schedule, SecretProtector protector, DestinationKinds kinds)
    {
        var stored = Read(schedule);
        var kind = kinds.Find(stored.DestinationType);
        var secrets = schedule.UnprotectSecrets(protector);
        try
        {
            WebhookRequest? webhook = null;
            if (stored.WebhookUrl is { } url)
            {
                var key = secrets.WebhookKey ?? throw new InvalidDataException($"Schedule {schedule.Id} has a webhook without its key.");
                webhook = new WebhookRequest(new Uri(url + secrets.WebhookQuery), [.. key]);
            }

            return new ExportTemplate
            {
                Name = stored.Name,
                ExportType = stored.ExportType,
                Layout = stored.Layout,
                Compression = stored.Compression,
                Destination = kind.ReadSettings(stored.Destination),
                Secrets = kind.ReadSecrets(secrets.Destination),
                Webhook = webhook,
                Audiences = stored.Audiences,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets.Destination);
            CryptographicOperations.ZeroMemory(secrets.WebhookKey);
        }
    }

    /// <summary>The schedule's <c>export</c> as the API shows it: name, file format and layout, compression, audiences, the destination's non-secret fields, the webhook's URL without query.</summary>
    public static JsonObject ToView(ScheduleRecord schedule, DestinationKinds kinds)
    {
        var stored = Read(schedule);
        var view = new JsonObject
        {
            ["name"] = stored.Name,
            ["exportType"] = stored.ExportType,
            ["layout"] = stored.Layout,
            ["compression"] = stored.Compression,
            ["destination"] = kinds.Find(stored.DestinationType).ReadSettings(stored.Destination).ToView(),
            ["audiences"] = new JsonArray([.. stored.Audiences.Select(a => JsonValue.Create(a))]),
        };
        if (stored.WebhookUrl is { } url)
        {
            view["webhook"] = new JsonObject { ["url"] = WebhookRequest.Shown(url) };
        }

        return view;
    }

    /// <summary>Whether the schedule's export has a webhook (which also receives the schedule's own events).</summary>
    public static bool HasWebhook(ScheduleRecord schedule) => Read(schedule).WebhookUrl is not null;

    private static Stored Read(ScheduleRecord schedule) =>
        JsonSerializer.Deserialize<Stored>(schedule.ExportJson, Json)
        ?? throw new InvalidDataException($"Schedule {schedule.Account.Value}/{schedule.Id} has no export.");

    /// <param name="Destination">The kind's settings JSON (<see cref="DestinationSettings.ToJson"/>).</param>
    private sealed record Stored(
        string Name, string ExportType, string Layout, string Compression, string DestinationType, string Destination, string? WebhookUrl, IReadOnlyList<string> Audiences);
}
