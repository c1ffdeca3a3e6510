using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>
/// A webhook receiver on 127.0.0.1 (Kestrel, a free port): records every request it gets and answers with the
/// status <c>answer</c> gives for the n-th one (1-based), which may look at the app meanwhile; <see cref="Hang"/> never
/// answers (until the caller gives up); a 3xx points to <c>/redirected</c>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const int Hang = -1;

    private readonly WebApplication _app;
    private readonly Func<int, Task<int>> _answer;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private int _count;

    private WebhookReceiver(WebApplication app, Func<int, Task<int>> answer)
    {
        _app = app;
        _answer = answer;
    }

    /// <summary>The receiver's URL, with a query string of its own (which the job view must not show).</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static Task<WebhookReceiver> StartAsync(Func<int, int> answer) => StartAsync(n => Task.FromResult(answer(n)));

    public static async Task<WebhookReceiver> StartAsync(Func<int, Task<int>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build(), answer);
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address.TrimEnd('/') + "/hooks/audiencetrends?token=receiver-own-token";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = new HeaderDictionary();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name] = value;
        }

        _received.Enqueue(new ReceivedWebhook(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.ContentType, headers, body));
        var status = await _answer(Interlocked.Increment(ref _count));
        if (status == Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The sender gave up and closed the connection: what this receiver waits for.
            }

            return;
        }

        context.Response.StatusCode = status;
        if (status is >= 300 and < 400)
        {
            context.Response.Headers.Location = "/redirected";
        }
    }
}

public sealed record ReceivedWebhook(string Method, string PathAndQuery, string? ContentType, HeaderDictionary Headers, string Body)
{
    public string Id => Headers["webhook-id"].ToString();

    /// <summary>Checks the signature as a receiver does, with the Standard Webhooks package; throws when it does not verify.</summary>
    public void Verify(string secret) => new StandardWebhook(secret).Verify(Body, Headers);
}
