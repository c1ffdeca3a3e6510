using System.Net;
using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Storage;

/// <summary>The conditional insert: a row is added only if none has its keys, which is how a key, a name or an id is claimed.</summary>
public static class TableInserts
{
    /// <summary>Adds <paramref name="entity"/>; false, adding nothing, when a row with its partition and row key exists.</summary>
    public static async Task<bool> TryAddEntityAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }
}
