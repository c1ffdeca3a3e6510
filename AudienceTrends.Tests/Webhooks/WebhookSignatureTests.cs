using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>Our signature, checked by the Standard Webhooks reference package as a receiver would check it.</summary>
public class WebhookSignatureTests
{
    [Test]
    public void A_signed_body_verifies_with_the_standard_webhooks_package()
    {
        var secret = WebhookSignature.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        const string Body = """{"type":"audiencetrendsexport.done","timestamp":"2026-12-02T05:00:00Z","data":{"jobId":"x"}}""";
        var now = DateTimeOffset.UtcNow;
        Assert.That(WebhookSignature.TryReadSecret(secret, out var key), Is.True);

        var headers = new HeaderDictionary
        {
            [WebhookSignature.IdHeader] = "msg_1",
            [WebhookSignature.TimestampHeader] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(key, "msg_1", now, Encoding.UTF8.GetBytes(Body)),
        };

        Assert.That(() => new StandardWebhook(secret).Verify(Body, headers), Throws.Nothing);
        Assert.That(() => new StandardWebhook(secret).Verify(Body.Replace("done", "failed", StringComparison.Ordinal), headers),
            Throws.Exception, "a changed body does not verify");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("secret")]
    [TestCase("whsec_")]
    [TestCase("whsec_not base64!")]
    [TestCase("whsec_c2hvcnQ=")]
    [TestCase("whsec_MTIzNDU2Nzg5MDEyMzQ1Ng==")] // 16 bytes: the specification asks for 24 at least
    public void Anything_but_a_whsec_base64_key_of_24_to_64_bytes_is_refused(string? secret) =>
        Assert.That(WebhookSignature.TryReadSecret(secret, out _), Is.False);
}
