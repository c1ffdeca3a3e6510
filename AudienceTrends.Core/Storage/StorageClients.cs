using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Storage;

/// <summary>The three service clients of the app's storage account, built once from <see cref="StorageOptions"/>.</summary>
public sealed class StorageClients
{
    public StorageClients(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (!string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            Tables = new TableServiceClient(o.ConnectionString);
            Queues = new QueueServiceClient(o.ConnectionString, queueOptions);
            Blobs = new BlobServiceClient(o.ConnectionString);
            return;
        }

        TokenCredential credential = string.Equals(o.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrWhiteSpace(o.ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(o.ClientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = o.ClientId });
        Tables = new TableServiceClient(o.TableServiceUri ?? ServiceUri(o.AccountName, "table"), credential);
        Queues = new QueueServiceClient(o.QueueServiceUri ?? ServiceUri(o.AccountName, "queue"), credential, queueOptions);
        Blobs = new BlobServiceClient(o.BlobServiceUri ?? ServiceUri(o.AccountName, "blob"), credential);
    }

    public TableServiceClient Tables { get; }

    /// <summary>Messages are Base64, as the queue trigger expects.</summary>
    public QueueServiceClient Queues { get; }

    public BlobServiceClient Blobs { get; }

    private static Uri ServiceUri(string? accountName, string service) =>
        new($"https://{accountName}.{service}.core.windows.net");
}
