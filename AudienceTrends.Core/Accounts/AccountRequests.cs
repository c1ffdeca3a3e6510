using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AudienceTrends.Core.Accounts;

/// <summary>The body of <c>POST /v2/accounts</c>: <c>{"id": "acme", "name": "Acme Corp"}</c>.</summary>
public sealed record AccountRequest(AccountId Id, string Name)
{
    /// <summary>Account and key bodies are a few short fields; anything larger is not one.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// The partition that held every job row before accounts existed (<c>Jobs/ExportJob.LegacyPartition</c>): an
    /// account of that id would share it with those rows, so none can be created.
    /// </summary>
    public const string ReservedJobPartition = "job";

    /// <summary>The same for saved SFTP keys created before accounts existed (<c>Sftp/Keys/TableSftpKeyStore</c>).</summary>
    public const string ReservedSftpKeyPartition = "sftpkey";

    private static string? IdProblem(string id) =>
        AccountId.Problem(id) ?? (id.ToLowerInvariant() is ReservedJobPartition or ReservedSftpKeyPartition
            ? $"\"{id.ToLowerInvariant()}\" is reserved: choose another id."
            : null);

    public static (AccountRequest? Request, RequestErrors Errors) Parse(ReadOnlySpan<byte> utf8Json) =>
        AccountRequests.Parse(utf8Json, """{"id": "acme", "name": "Acme Corp"}""", fields =>
        {
            var id = fields.String("id", required: true, IdProblem);
            var name = fields.String("name", required: true, AccountRequests.NameProblem);
            return fields.Errors.HasErrors ? null : new AccountRequest(AccountId.Parse(id!), name!);
        });
}

/// <summary>
/// The body of <c>POST /v2/accounts/{id}/keys</c>: <c>{"name": "ci", "expires": "2027-01-01T00:00:00Z",
/// "allowedNetworks": ["203.0.113.0/24", "2001:db8::/32"]}</c>; only <c>name</c> is required.
/// </summary>
public sealed record ApiKeyRequest(string Name, DateTimeOffset? Expires, IReadOnlyList<IPNetwork> AllowedNetworks)
{
    public const int MaxNetworks = 20;
    private const string NetworksField = "allowedNetworks";

    public static (ApiKeyRequest? Request, RequestErrors Errors) Parse(ReadOnlySpan<byte> utf8Json, DateTimeOffset now) =>
        AccountRequests.Parse(utf8Json, """{"name": "ci", "expires": "2027-01-01T00:00:00Z", "allowedNetworks": ["203.0.113.0/24"]}""", fields =>
        {
            var name = fields.String("name", required: true, AccountRequests.NameProblem);
            var expiresText = fields.String("expires", rule: text => ExpiresProblem(text, now));
            var networks = Networks(fields);
            return fields.Errors.HasErrors ? null
                : new ApiKeyRequest(name!, expiresText is null ? null : DateTimeOffset.Parse(expiresText, System.Globalization.CultureInfo.InvariantCulture), networks);
        });

    private static string? ExpiresProblem(string text, DateTimeOffset now) =>
        !AccountRequests.DateTime().IsMatch(text)
            || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var expires)
            ? "must be a date and time with its offset, such as 2027-01-01T00:00:00Z (RFC 3339)."
            : expires <= now ? "must be in the future."
            : null;

    private static List<IPNetwork> Networks(JsonFields fields)
    {
        if (!fields.TryGet(NetworksField, required: false, out var element))
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() is 0 or > MaxNetworks)
        {
            fields.Add(NetworksField, $"must be an array of 1 to {MaxNetworks} networks (leave it out to allow any client address).");
            return [];
        }

        var networks = new List<IPNetwork>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && ClientNetworks.TryParse(item.GetString()!, out var network))
            {
                networks.Add(network);
            }
            else
            {
                fields.AddMessage(NetworksField, $"{NetworksField}[{index}] must be an IPv4 or IPv6 network in CIDR notation " +
                    "(203.0.113.0/24, 2001:db8::/32, no bits set past the prefix) or a single address.");
            }

            index++;
        }

        return networks.Distinct().ToList();
    }
}

internal static partial class AccountRequests
{
    private const int MaxNameLength = 100;

    public static string? NameProblem(string name) =>
        name.Length > MaxNameLength ? $"must be at most {MaxNameLength} characters long."
        : string.IsNullOrWhiteSpace(name) ? "must not be blank."
        : null;

    /// <summary>RFC 3339 date-time: an explicit offset or Z is required (a time without one means nothing on a server).</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    public static partial Regex DateTime();

    public static (T? Request, RequestErrors Errors) Parse<T>(ReadOnlySpan<byte> utf8Json, string example, Func<JsonFields, T?> read)
        where T : class
    {
        var errors = new RequestErrors();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray());
        }
        catch (JsonException)
        {
            errors.Add("$", $"The request body must be a JSON object such as {example}.");
            return (null, errors);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("$", $"The request body must be a JSON object such as {example}.");
                return (null, errors);
            }

            try
            {
                return (read(new JsonFields(document.RootElement, "", errors)), errors);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON whose string holds an escaped lone surrogate, which no .NET string can carry.
                var onlyThis = new RequestErrors();
                onlyThis.Add("$", "The request body contains a \\u escape that is not valid Unicode (a lone surrogate).");
                return (null, onlyThis);
            }
        }
    }
}
