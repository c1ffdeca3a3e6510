using System.Globalization;
using System.Net.Http.Headers;
using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Export;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Webhooks;

/// <summary>
/// One signed POST of an event to its receiver: the JSON body with the Standard Webhooks headers (<c>webhook-id</c>,
/// <c>webhook-timestamp</c>, <c>webhook-signature</c>), through the guarded client, within <see cref="WebhookOptions.Timeout"/>,
/// in a span of its own. What a job's completion events (<see cref="WebhookSender"/>) and a schedule's own events both send.
/// </summary>
public sealed class WebhookPost(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <param name="url">The receiver, query included (it may carry the receiver's own token).</param>
    /// <param name="shown">The receiver as errors may name it: without its query.</param>
    /// <returns>The receiver's status code, or, when it gave none, the failure in plain words (naming only <paramref name="shown"/>) and its exception.</returns>
    public async Task<WebhookPostOutcome> SendAsync(
        string url, string shown, ReadOnlyMemory<byte> key, string eventId, byte[] body, CancellationToken cancellationToken)
    {
        var timeoutAfter = options.Value.Timeout;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var sentAt = time.GetUtcNow();
            request.Headers.Add(WebhookSignature.IdHeader, eventId);
            request.Headers.Add(WebhookSignature.TimestampHeader, sentAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key.Span, eventId, sentAt, body));

            using var timeout = new CancellationTokenSource(timeoutAfter, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var call = AppTelemetry.StartWebhookCall();
            try
            {
                using var response = await clients.CreateClient(WebhookSender.ClientName)
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var status = (int)response.StatusCode;
                call?.SetTag("http.response.status_code", status);
                if (status >= 400)
                {
                    AppTelemetry.Fail(call, status.ToString(CultureInfo.InvariantCulture));
                }

                return new WebhookPostOutcome(status, null, null);
            }
            catch (Exception e)
            {
                AppTelemetry.Fail(call, AppTelemetry.ErrorTypeOf(e));
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookPostOutcome(null, $"{shown} did not answer within {timeoutAfter.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException e)
        {
            return new WebhookPostOutcome(null, e.InnerException is ExportFailedException refused
                ? $"{shown} {refused.Message}"
                : TransientFailures.Describe(e, shown), e);
        }
    }
}

/// <summary>
/// A POST's outcome: the receiver's <see cref="StatusCode"/>, or no status and the <see cref="Error"/> (plain words, no
/// URL query) with the <see cref="Exception"/> behind it, for the log.
/// </summary>
public sealed record WebhookPostOutcome(int? StatusCode, string? Error, Exception? Exception)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}
