using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace AudienceTrends.Functions.Http;

public static class RequestBody
{
    /// <summary>application/json or any +json type, with or without parameters.</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A JSON body of at most <paramref name="maxBytes"/>, or the problem to answer instead: 415 when it is not JSON,
    /// 413 when it is too large.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IActionResult? Problem)> ReadJsonAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (default, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body must be JSON: send Content-Type: application/json."));
        }

        return await ReadAsync(request, maxBytes, cancellationToken) is { } body
            ? (body, null)
            : (default, Problems.Status(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The body must not exceed {maxBytes} bytes."));
    }

    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/> (read no further than that).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }
}
