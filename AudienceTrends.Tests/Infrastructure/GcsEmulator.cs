using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.Infrastructure;

/// <summary>
/// A small GCS JSON API stand-in (no emulator is installable here) covering what the client library's uploads use:
/// the resumable protocol (initiate → Location; PUT chunks with Content-Range → 308 with Range; the last chunk → 200
/// with the object; DELETE on the session URI cancels it → 499), reading a bucket, deleting an object (→ 204), service
/// account bearer tokens, and 401/403/404 answers. The final
/// chunk's <c>x-goog-hash</c> crc32c (and md5 if sent) is checked against the bytes received, since the client does
/// not check the answer's hashes; an object exists only once its upload is finalized and verified.
/// </summary>
public sealed class GcsEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Access> _buckets = new();
    private readonly ConcurrentDictionary<string, (int Chunk, int Times)> _dropOnChunk = new();
    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    private GcsEmulator(WebApplication app) => _app = app;

    public string Root { get; private set; } = "";

    public string BaseUri => Root + "storage/v1/";

    /// <summary>Finalized objects by <c>bucket/name</c>, with the number of chunk requests that carried them.</summary>
    public ConcurrentDictionary<string, StoredObject> Objects { get; } = new();

    /// <summary>Service account e-mails whose bearer tokens are accepted; any other gets 401.</summary>
    public ConcurrentDictionary<string, bool> ServiceAccounts { get; } = new();

    /// <summary>Resumable upload sessions started and neither completed nor cancelled.</summary>
    public int OpenSessions => _sessions.Count;

    /// <summary>Open resumable upload sessions to <paramref name="bucket"/>.</summary>
    public int OpenSessionsIn(string bucket) => _sessions.Values.Count(s => s.Bucket == bucket);

    public static async Task<GcsEmulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = null;
        });
        builder.Logging.ClearProviders();
        var emulator = new GcsEmulator(builder.Build());
        emulator._app.Run(emulator.HandleAsync);
        await emulator._app.StartAsync();
        var address = emulator._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        emulator.Root = address.TrimEnd('/') + "/";
        return emulator;
    }

    public enum Access
    {
        /// <summary>Anyone may write, as on an emulator.</summary>
        Open,

        /// <summary>Anonymous callers get 401.</summary>
        Private,

        /// <summary>Everyone gets 403.</summary>
        Forbidden,
    }

    /// <summary>Adds a bucket with a fresh name, so each test's objects and failures stay its own.</summary>
    public string AddBucket(Access access = Access.Open)
    {
        var name = "b-" + Guid.NewGuid().ToString("N")[..16];
        AddBucket(name, access);
        return name;
    }

    public void AddBucket(string name, Access access = Access.Open) => _buckets[name] = access;

    /// <summary>
    /// Drops the connection, without answering, on the next <paramref name="times"/> attempts at chunk
    /// <paramref name="chunk"/> (1-based) of uploads to the bucket.
    /// </summary>
    public void DropConnectionOnChunk(string bucket, int chunk, int times = int.MaxValue) => _dropOnChunk[bucket] = (chunk, times);

    public void StopDroppingConnections(string bucket) => _dropOnChunk.TryRemove(bucket, out _);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static string Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = BitOperations.Crc32C(crc, word);
        }

        foreach (var b in data[(words.Length * 8)..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(checksum, ~crc);
        return Convert.ToBase64String(checksum);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = (string?)request.Headers.Authorization;
        if (authorization is not null && !(authorization.StartsWith("Bearer ", StringComparison.Ordinal) && IsKnownServiceAccountJwt(authorization[7..])))
        {
            await Error(context, 401, "Invalid Credentials");
            return;
        }

        // Uploads go to /upload/storage/v1/b/{bucket}/o, bucket and object requests to /storage/v1/b/{bucket}[/o/{object}].
        var match = Regex.Match(request.Path.Value ?? "", "^(/upload)?/storage/v1/b/([^/]+)(/o(?:/(.+))?)?$");
        var (upload, bucket, objects) = match.Success
            ? (match.Groups[1].Success, Uri.UnescapeDataString(match.Groups[2].Value), match.Groups[3].Success)
            : (false, "", false);
        var objectName = match.Groups[4].Success ? Uri.UnescapeDataString(match.Groups[4].Value) : null;
        if (!_buckets.TryGetValue(bucket, out var access))
        {
            await Error(context, 404, "The specified bucket does not exist.");
        }
        else if (access == Access.Forbidden)
        {
            await Error(context, 403, "The caller does not have storage.objects.create access to the bucket.");
        }
        else if (access == Access.Private && authorization is null)
        {
            await Error(context, 401, "Anonymous caller does not have storage.objects.create access to the bucket.");
        }
        else if (!upload && !objects && request.Method == "GET")
        {
            await Answer(context, 200, new { kind = "storage#bucket", id = bucket, name = bucket, location = "US", storageClass = "STANDARD" });
        }
        else if (!upload && objectName is not null && request.Method == "DELETE")
        {
            await (Objects.TryRemove($"{bucket}/{objectName}", out _)
                ? NoContent(context)
                : Error(context, 404, $"No such object: {bucket}/{objectName}"));
        }
        else if (upload && request.Method == "DELETE" && _sessions.TryRemove((string?)request.Query["upload_id"] ?? "", out _))
        {
            // Cancelling a resumable upload: GCS answers 499 (Client Closed Request) with an empty body.
            context.Response.StatusCode = 499;
        }
        else if (upload && request.Method == "POST" && request.Query["uploadType"] == "resumable")
        {
            Stream body = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
            var metadata = await JsonDocument.ParseAsync(body);
            var started = new Session(bucket, metadata.RootElement.GetProperty("name").GetString()!);
            _sessions[started.Id] = started;
            // On the host the client asked, as GCS does, so a proxy in front of the emulator sees the chunks too.
            context.Response.Headers.Location = $"{request.Scheme}://{request.Host}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable&upload_id={started.Id}";
            await Answer(context, 200, new { });
        }
        else if (upload && request.Method == "PUT" && _sessions.TryGetValue((string?)request.Query["upload_id"] ?? "", out var session))
        {
            await ReceiveChunkAsync(context, session);
        }
        else
        {
            await Error(context, 400, "Unsupported request.");
        }
    }

    private async Task ReceiveChunkAsync(HttpContext context, Session session)
    {
        var range = Regex.Match((string?)context.Request.Headers.ContentRange ?? "", @"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$");
        if (!range.Success || (range.Groups[1].Success && long.Parse(range.Groups[1].Value) != session.Data.Length))
        {
            await Error(context, 400, "Bad Content-Range.");
            return;
        }

        if (range.Groups[1].Success)
        {
            if (_dropOnChunk.TryGetValue(session.Bucket, out var drop) && drop.Chunk == session.Chunks + 1 && drop.Times > 0)
            {
                _dropOnChunk[session.Bucket] = drop with { Times = drop.Times - 1 };
                context.Abort();
                return;
            }

            await context.Request.Body.CopyToAsync(session.Data);
            session.Chunks++;
        }

        var total = range.Groups[3].Value == "*" ? (long?)null : long.Parse(range.Groups[3].Value);
        if (total != session.Data.Length)
        {
            if (session.Data.Length > 0)
            {
                context.Response.Headers["Range"] = $"bytes=0-{session.Data.Length - 1}";
            }

            context.Response.StatusCode = 308;
            return;
        }

        var bytes = session.Data.ToArray();
        _sessions.TryRemove(session.Id, out _);
        var hashes = string.Join(',', context.Request.Headers["x-goog-hash"].ToArray())
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.Split('=', 2))
            .ToDictionary(h => h[0], h => h[1]);
        var crc32c = Crc32C(bytes);
        var md5 = Convert.ToBase64String(MD5.HashData(bytes));
        if (!hashes.TryGetValue("crc32c", out var sentCrc) || sentCrc != crc32c || (hashes.TryGetValue("md5", out var sentMd5) && sentMd5 != md5))
        {
            await Error(context, 400, "Provided CRC32C \"" + sentCrc + "\" doesn't match calculated CRC32C \"" + crc32c + "\".");
            return;
        }

        Objects[$"{session.Bucket}/{session.Name}"] = new StoredObject(bytes, session.Chunks);
        await Answer(context, 200, new
        {
            kind = "storage#object",
            id = $"{session.Bucket}/{session.Name}/1",
            name = session.Name,
            bucket = session.Bucket,
            generation = "1",
            contentType = "text/csv",
            size = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            crc32c,
            md5Hash = md5,
        });
    }

    /// <summary>
    /// The client library sends a JWT the service account signed itself (which GCS accepts) rather than fetching an
    /// OAuth token. Only the issuer is checked: the emulator holds no public keys.
    /// </summary>
    private bool IsKnownServiceAccountJwt(string jwt)
    {
        var payload = jwt.Split('.') is [_, var body, _] ? Base64UrlDecode(body) : "{}";
        return JsonDocument.Parse(payload).RootElement.TryGetProperty("iss", out var iss) && ServiceAccounts.ContainsKey(iss.GetString() ?? "");
    }

    private static Task NoContent(HttpContext context)
    {
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static Task Error(HttpContext context, int status, string message) =>
        Answer(context, status, new { error = new { code = status, message, errors = new[] { new { message, domain = "global" } } } });

    private static async Task Answer(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private static string Base64UrlDecode(string value) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/').PadRight((value.Length + 3) / 4 * 4, '=')));

    public sealed record StoredObject(byte[] Bytes, int Chunks)
    {
        public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));
    }

    private sealed class Session(string bucket, string name)
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");

        public string Bucket => bucket;

        public string Name => name;

        public MemoryStream Data { get; } = new();

        public int Chunks { get; set; }
    }
}
