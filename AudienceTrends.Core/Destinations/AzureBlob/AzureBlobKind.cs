
namespace AudienceTrends.Core.Destinations.AzureBlob;

/// <summary>
/// Destination type <c>azureblob</c>: a container in the customer's storage account, written with the customer's
/// container SAS. Which hosts may be reached is decided at delivery (<see cref="AzureBlobHosts"/>); here the URL's
/// shape is checked.
/// </summary>
public sealed class AzureBlobKind : DestinationKind<AzureBlobSettings, AzureBlobSecrets>
{
    public const string Name = "azureblob";

    public const string ContainerUrlField = "container_url";

    public const string SasTokenField = "sas_token";

    public override string WireName => Name;

    public override DestinationInput? Read(JsonFields fields)
    {
        var containerUrl = fields.String(ContainerUrlField, required: true, ContainerUrlProblem);
        var sasToken = fields.String(SasTokenField, required: true, SasTokenProblem);
        var path = DestinationPath.Read(fields);
        if (fields.HasProblems)
        {
            return null;
        }

        return new DestinationInput(
            new AzureBlobSettings { ContainerUrl = containerUrl!.TrimEnd('/'), Path = path },
            new AzureBlobSecrets { SasToken = sasToken!.TrimStart('?') });
    }

    private static string? ContainerUrlProblem(string value)
    {
        const string Expected = "must be the container's URL, such as https://myaccount.blob.core.windows.net/exports";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0 || FieldRules.HasControlCharacters(value))
        {
            return $"{Expected} (https, no query string: the SAS goes in sas_token).";
        }

        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var azure = AzureBlobHosts.IsAzureBlobHost(url.Host);
        if (azure && url.Scheme != "https")
        {
            return $"{Expected}: Azure Blob Storage is reached over https only.";
        }

        // Emulators and private endpoints put the account in the path (http://127.0.0.1:10000/devstoreaccount1/exports).
        return segments.Length == (azure ? 1 : 2) && IsContainerName(segments[^1])
            ? null
            : $"{Expected}: one container name (3 to 63 lower-case letters, digits and single dashes) after the host.";
    }

    private static string? SasTokenProblem(string value) =>
        value.Length > 2048 || FieldRules.HasControlCharacters(value) || value.Contains(' ', StringComparison.Ordinal)
            || !value.TrimStart('?').Split('&').Any(p => p.StartsWith("sig=", StringComparison.Ordinal))
            ? "must be a container SAS token (the query string with sv=...&sig=..., at most 2048 characters)."
            : null;

    private static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
}
