using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Tests.Destinations.Sftp.Keys;

/// <summary>
/// The smallest faithful stand-in of the Key Vault secrets REST API (no Key Vault runs here), over HTTPS on 127.0.0.1
/// with a self-signed certificate the client pins: the bearer challenge (401 with <c>WWW-Authenticate</c>), then set,
/// get (latest version), list, soft delete, read deleted and purge, with Key Vault's status codes (404 unknown, 409 for
/// a name held by a deleted secret, 400 for a name Key Vault does not allow) and JSON shapes. The real <see cref="SecretClient"/> talks to it, so the store's
/// requests, paging and the delete operation's polling are the SDK's own.
/// </summary>
public sealed class KeyVaultStandIn : IAsyncDisposable
{
    private const string Token = "stand-in-token";
    private readonly ConcurrentDictionary<string, JsonObject> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, JsonObject> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _certificate;
    private readonly WebApplication _app;
    private TaskCompletionSource? _lookupGate;
    private int _heldLookups;
    private int _releaseAt;

    private KeyVaultStandIn(X509Certificate2 certificate, WebApplication app)
    {
        _certificate = certificate;
        _app = app;
    }

    public Uri VaultUri { get; private set; } = null!;

    /// <summary>Answer purges with 403, as for an identity whose role does not allow them.</summary>
    public bool RefusePurge { get; set; }

    /// <summary>The stored secrets (value, tags, ...) by name, for tests that look inside the vault.</summary>
    public IReadOnlyDictionary<string, JsonObject> Secrets => _secrets;

    public IReadOnlyDictionary<string, JsonObject> Deleted => _deleted;

    /// <summary>Every secret name a request named, in order, for tests that check what reached the vault.</summary>
    public ConcurrentQueue<string> NamesAsked { get; } = new();

    /// <summary>
    /// Holds every read of an absent secret until <paramref name="count"/> of them wait (or <see cref="ReleaseLookups"/>),
    /// so that concurrent creates of one name provably interleave at "is the name free?".
    /// </summary>
    public void HoldLookupsOfAbsentSecrets(int count)
    {
        _releaseAt = count;
        _lookupGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseLookups() => _lookupGate?.TrySetResult();

    public static async Task<KeyVaultStandIn> StartAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var standIn = new KeyVaultStandIn(certificate, app);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.VaultUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return standIn;
    }

    /// <summary>The SDK's client for this vault: a fixed token, this certificate only, no retries.</summary>
    public SecretClient Client()
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _certificate.Thumbprint,
        };
        var options = new SecretClientOptions { DisableChallengeResourceVerification = true, Transport = new HttpClientTransport(handler) };
        options.Retry.MaxRetries = 0;
        return new SecretClient(VaultUri, new FixedToken(), options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate =
                "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";
            return;
        }

        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        var (method, collection, name) = (context.Request.Method, segments[0], segments.Length > 1 ? segments[1] : null);
        if (name is not null)
        {
            NamesAsked.Enqueue(name);
            if (name.Length is 0 or > 127 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
            {
                (context.Response.StatusCode, var refusal) = Error(400, "BadParameter", "The secret name is not valid: use 1 to 127 letters, digits and dashes.");
                await context.Response.WriteAsync(refusal!.ToJsonString());
                return;
            }

            if (method == "GET" && collection == "secrets" && !_secrets.ContainsKey(name) && _lookupGate is { } gate)
            {
                if (Interlocked.Increment(ref _heldLookups) >= _releaseAt)
                {
                    gate.TrySetResult();
                }

                await gate.Task.WaitAsync(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
        }

        var (status, body) = (method, collection, name) switch
        {
            ("PUT", "secrets", { } n) => await SetAsync(n, context.Request),
            ("GET", "secrets", null) => (200, new JsonObject { ["value"] = new JsonArray(_secrets.Values.Select(s => (JsonNode)Item(s)).ToArray()), ["nextLink"] = null }),
            ("GET", "secrets", { } n) => _secrets.TryGetValue(n, out var secret) ? (200, secret.DeepClone()) : NotFound(n),
            ("DELETE", "secrets", { } n) => Delete(n),
            ("GET", "deletedsecrets", { } n) => _deleted.TryGetValue(n, out var deleted) ? (200, deleted.DeepClone()) : NotFound(n),
            ("DELETE", "deletedsecrets", { } n) => RefusePurge ? Error(403, "Forbidden", "The caller may not purge secrets.")
                : _deleted.TryRemove(n, out _) ? (204, null) : NotFound(n),
            _ => Error(400, "BadParameter", "Not an operation of this stand-in."),
        };
        context.Response.StatusCode = status;
        if (body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body.ToJsonString());
        }
    }

    private async Task<(int, JsonNode?)> SetAsync(string name, HttpRequest request)
    {
        if (_deleted.ContainsKey(name))
        {
            return Error(409, "Conflict", $"Secret {name} is currently in a deleted but recoverable state.");
        }

        var sent = (await JsonNode.ParseAsync(request.Body))!.AsObject();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var secret = new JsonObject
        {
            ["value"] = sent["value"]!.GetValue<string>(),
            ["contentType"] = sent["contentType"]?.DeepClone(),
            ["id"] = $"{VaultUri}secrets/{name}/{Guid.NewGuid():N}",
            ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = now, ["updated"] = now, ["recoveryLevel"] = "Recoverable+Purgeable" },
            ["tags"] = sent["tags"]?.DeepClone() ?? new JsonObject(),
        };
        _secrets[name] = secret;
        return (200, secret.DeepClone());
    }

    private (int, JsonNode?) Delete(string name)
    {
        if (!_secrets.TryRemove(name, out var secret))
        {
            return NotFound(name);
        }

        var deleted = Item(secret);
        deleted["recoveryId"] = $"{VaultUri}deletedsecrets/{name}";
        deleted["deletedDate"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        deleted["scheduledPurgeDate"] = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeSeconds();
        _deleted[name] = deleted;
        return (200, deleted.DeepClone());
    }

    /// <summary>A secret as lists show it: everything but the value.</summary>
    private static JsonObject Item(JsonObject secret)
    {
        var item = secret.DeepClone().AsObject();
        item.Remove("value");
        return item;
    }

    private static (int, JsonNode?) NotFound(string name) => Error(404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");

    private static (int, JsonNode?) Error(int status, string code, string message) =>
        (status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(Token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
