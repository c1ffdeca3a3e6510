using AudienceTrends.Core.Accounts;
using System.Text.Json;

namespace AudienceTrends.Core.Destinations;

/// <summary>
/// One destination type's shape: its wire name, reading and validating its request fields, and reading back what a
/// job row stored for it. Reading is pure (no I/O), so the request parser and the job store can use it anywhere; the
/// few checks that need I/O are <see cref="CheckAsync"/>, which the intake and the destination test await after
/// parsing. The delivery is the kind's <see cref="IExportDestination"/>.
/// </summary>
public interface IDestinationKind
{
    /// <summary>The <c>destination.type</c> value, lower case (the request may use any case).</summary>
    string WireName { get; }

    /// <summary>
    /// Reads the kind's own fields of the request's <c>destination</c> object, reporting each problem under its JSON
    /// path; null when any of them was refused. Fields of other kinds are ignored, as the reference API does.
    /// </summary>
    DestinationInput? Read(JsonFields fields);

    /// <summary>
    /// The checks of settings <see cref="Read"/> accepted that need I/O (an SFTP key looked up in its store): each
    /// problem under the kind's own field name (<c>savedKey</c>). Most kinds have none.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> CheckAsync(DestinationSettings settings, AccountId account, CancellationToken cancellationToken);

    /// <summary>The settings from the job row's JSON column (written by <see cref="DestinationSettings.ToJson"/>).</summary>
    DestinationSettings ReadSettings(string json);

    /// <summary>The secrets from their decrypted payload (written by <see cref="DestinationSecrets.ToPayload"/>); null means none.</summary>
    DestinationSecrets ReadSecrets(byte[]? payload);
}

/// <summary>
/// A kind that existed before destination settings were kept as JSON on the job row (kinds added later have no such
/// rows and do not implement it).
/// </summary>
public interface IReadsLegacyRows
{
    /// <summary>
    /// The destination of a row written before settings were kept as JSON (one column per field), and the result
    /// details such a row kept in a column of their own. Never fails on a missing column.
    /// </summary>
    LegacyDestination ReadLegacyRow(IReadOnlyDictionary<string, object> row);
}

/// <summary>What a request's <c>destination</c> said: the settings, and the secrets kept apart.</summary>
public sealed record DestinationInput(DestinationSettings Settings, DestinationSecrets Secrets);

/// <summary>A legacy row's destination, and its result details when the kind recorded any (<see cref="DeliveryResult.Details"/>).</summary>
public sealed record LegacyDestination(DestinationSettings Settings, IReadOnlyDictionary<string, string>? ResultDetails = null);

/// <summary>The typed base of a kind: settings and secrets are read as the kind's own records.</summary>
public abstract class DestinationKind<TSettings, TSecrets> : IDestinationKind
    where TSettings : DestinationSettings
    where TSecrets : DestinationSecrets, new()
{
    public abstract string WireName { get; }

    private static readonly IReadOnlyDictionary<string, string> NoProblems = new Dictionary<string, string>();

    public abstract DestinationInput? Read(JsonFields fields);

    public Task<IReadOnlyDictionary<string, string>> CheckAsync(DestinationSettings settings, AccountId account, CancellationToken cancellationToken) =>
        CheckAsync((TSettings)settings, account, cancellationToken);

    public DestinationSettings ReadSettings(string json) => DestinationSettings.FromJson<TSettings>(json);

    public DestinationSecrets ReadSecrets(byte[]? payload) =>
        payload is null ? new TSecrets() : JsonSerializer.Deserialize<TSecrets>(payload) ?? new TSecrets();

    /// <summary>See <see cref="IDestinationKind.CheckAsync"/>: none unless the kind overrides it.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> CheckAsync(TSettings settings, AccountId account, CancellationToken cancellationToken) =>
        Task.FromResult(NoProblems);

    /// <summary>A legacy column's text, or null when the row lacks it.</summary>
    protected static string? Text(IReadOnlyDictionary<string, object> row, string column) =>
        row.TryGetValue(column, out var value) ? value as string : null;
}
