using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// Where a file goes: the non-secret fields of a request's <c>destination</c>, one record per kind. Safe to store in
/// clear (as JSON on the job row), log and return (the jobs API shows them as they are); the credentials live in
/// <see cref="DestinationSecrets"/>.
/// </summary>
public abstract record DestinationSettings
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The kind's wire name (<c>sftp</c>, <c>aws</c>, ...).</summary>
    [JsonIgnore]
    public string Type => KindName;

    /// <summary>One readable line for operators, e.g. <c>sftp://user@host:22/folder</c>; never a secret.</summary>
    [JsonIgnore]
    public string Summary => Describe();

    // Protected, so never serialized with the fields.
    protected abstract string KindName { get; }

    protected abstract string Describe();

    /// <summary>The fields as JSON, named as in the request: the job row's column and the jobs API's view.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GetType(), Json);

    public static TSettings FromJson<TSettings>(string json)
        where TSettings : DestinationSettings =>
        JsonSerializer.Deserialize<TSettings>(json, Json) ?? throw new JsonException("The destination settings are null.");

    /// <summary>The jobs API's <c>destination</c>: the type, then the fields.</summary>
    public JsonObject ToView()
    {
        var view = JsonSerializer.SerializeToNode(this, GetType(), Json)!.AsObject();
        view.Insert(0, "type", Type);
        return view;
    }
}

/// <summary>
/// A destination's credentials, one record per kind. Kept apart from <see cref="DestinationSettings"/> so nothing that
/// stores, logs or returns a destination can reach them; stored only encrypted (<c>Common/SecretProtector</c>, which
/// sees the payload as opaque bytes).
/// </summary>
public abstract record DestinationSecrets
{
    /// <summary>Nothing to protect: the job row keeps no secrets column value.</summary>
    [JsonIgnore]
    public bool IsEmpty => !HasValues;

    // Protected, so never part of the payload.
    protected abstract bool HasValues { get; }

    /// <summary>The payload to encrypt; the kind reads it back with <see cref="IDestinationKind.ReadSecrets"/>.</summary>
    public byte[] ToPayload() => JsonSerializer.SerializeToUtf8Bytes(this, GetType());

    /// <summary>Never prints a value, so an accidental log line or exception message leaks nothing.</summary>
    public sealed override string ToString() => IsEmpty ? $"{GetType().Name} {{ }}" : $"{GetType().Name} {{ *** }}";
}

/// <summary>The secrets of a kind that needs none.</summary>
public sealed record NoSecrets : DestinationSecrets
{
    public static NoSecrets Instance { get; } = new();

    protected override bool HasValues => false;
}

public static class DestinationSecretsProtection
{
    /// <summary>The destination's credentials encrypted for a job's row (bound to <paramref name="jobId"/>); null when it has none.</summary>
    public static string? Protect(this SecretProtector protector, DestinationSecrets secrets, string jobId) =>
        secrets.IsEmpty ? null : protector.Protect(secrets.ToPayload(), jobId);
}
