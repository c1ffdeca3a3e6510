using System.Buffers;
using System.Text.Json;

namespace AudienceTrends.Core.Destinations.Sftp.Keys;

/// <summary>
/// The body of <c>POST /v2/sftpkeys</c>, <c>{"name": "myKeyName", "hosts": ["sftp.example.com"]}</c>: a name of
/// letters, digits and dashes, and the hosts the key may log in to (host names or IP addresses, no wildcards).
/// Problems are keyed <c>name</c> and <c>hosts</c>; no value is ever quoted.
/// </summary>
public sealed record SftpKeyRequest(string Name, IReadOnlyList<string> Hosts)
{
    public const int MaxNameLength = 64;

    /// <summary>A name and ten hosts fit easily; anything larger is not a key request.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>Key Vault allows 15 tags per secret; the store needs five of its own.</summary>
    public const int MaxHosts = 10;

    private const int MaxHostLength = 253;
    private const string HostsField = "hosts";
    private static readonly SearchValues<char> NameChars = SearchValues.Create(FieldRules.Letters + FieldRules.Digits + "-");

    public static (SftpKeyRequest? Request, RequestErrors Errors) Parse(ReadOnlySpan<byte> utf8Json)
    {
        var errors = new RequestErrors();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray());
        }
        catch (JsonException)
        {
            errors.Add("$", "The request body must be a JSON object such as {\"name\": \"myKeyName\", \"hosts\": [\"sftp.example.com\"]}.");
            return (null, errors);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("$", "The request body must be a JSON object such as {\"name\": \"myKeyName\", \"hosts\": [\"sftp.example.com\"]}.");
                return (null, errors);
            }

            try
            {
                var fields = new JsonFields(document.RootElement, "", errors);
                var name = fields.String("name", required: true, NameProblem);
                var hosts = ReadHosts(fields);
                return (errors.HasErrors ? null : new SftpKeyRequest(name!, hosts!), errors);
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

    /// <summary>What is wrong with a key name (phrased to follow the field's name), or null.</summary>
    public static string? NameProblem(string name) =>
        name.Length is 0 or > MaxNameLength || name.AsSpan().ContainsAnyExcept(NameChars)
            ? $"must be 1 to {MaxNameLength} letters (A-Z, a-z), digits or dashes."
            : null;

    private static List<string>? ReadHosts(JsonFields fields)
    {
        if (!fields.TryGet(HostsField, required: true, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() is 0 or > MaxHosts)
        {
            fields.Add(HostsField, $"must be an array of 1 to {MaxHosts} host names or IP addresses the key may log in to.");
            return null;
        }

        var hosts = new List<string>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var problem = item.ValueKind != JsonValueKind.String ? "must be a string."
                : HostProblem(item.GetString()!);
            if (problem is null)
            {
                hosts.Add(SftpOptions.NormalizeHost(item.GetString()!));
            }
            else
            {
                fields.AddMessage(HostsField, $"{HostsField}[{index}] {problem}");
            }

            index++;
        }

        return fields.HasProblems ? null : hosts.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A host as requests write <c>destination.server</c>: a DNS name (labels may hold '_' as internal names do) or an
    /// IPv4/IPv6 address, IPv6 with or without brackets. No wildcards, ports, schemes or paths.
    /// </summary>
    private static string? HostProblem(string host)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var kind = bare.Length is 0 or > MaxHostLength || FieldRules.HasControlCharacters(bare)
            ? UriHostNameType.Unknown
            : Uri.CheckHostName(bare.Replace('_', 'a'));
        return kind is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? null
            : "must be a host name (such as sftp.example.com) or an IP address, without wildcards, port, scheme or path.";
    }
}
