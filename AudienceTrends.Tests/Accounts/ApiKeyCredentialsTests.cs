using System.Net;
using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Tests.Accounts;

/// <summary>
/// The key's text, the two Authorization forms (RFC 7617 Basic with the key as user name and an empty password,
/// RFC 6750 Bearer), the constant-time comparison, and the CIDR and Client-IP parsing the network check relies on.
/// </summary>
public sealed class ApiKeyCredentialsTests
{
    private static readonly string Key = ApiKeyText.Generate().Key;

    [Test]
    public void A_generated_key_has_the_documented_shape_and_parses_back_to_its_id_and_secret()
    {
        var (keyId, key, hash) = ApiKeyText.Generate();

        Assert.That(key, Does.Match("^atk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$"));
        Assert.That(ApiKeyText.TryParse(key, out var parsedId, out var secret), Is.True);
        Assert.That(parsedId, Is.EqualTo(keyId));
        Assert.That(secret, Has.Length.EqualTo(32));
        Assert.That(SHA256.HashData(secret), Is.EqualTo(hash));
        Assert.That(ApiKeyText.Generate().Key, Is.Not.EqualTo(key));
    }

    [Test]
    public void Basic_with_the_key_as_user_name_and_an_empty_password_and_Bearer_read_the_same_key()
    {
        ApiKeyText.TryParse(Key, out var keyId, out var secret);
        foreach (var header in new[] { "Basic " + Base64(Key + ":"), "basic  " + Base64(Key + ":"), "Bearer " + Key, "BEARER " + Key })
        {
            Assert.That(ApiKeyCredentials.TryRead(header, out var readId, out var readSecret), Is.Null, header);
            Assert.That(readId, Is.EqualTo(keyId), header);
            Assert.That(readSecret, Is.EqualTo(secret), header);
        }
    }

    public static IEnumerable<TestCaseData> MalformedHeaders()
    {
        yield return new TestCaseData("Basic " + Base64(Key)).SetName("Basic without the colon (RFC 7617 requires it)");
        yield return new TestCaseData("Basic " + Base64(Key + ":secret")).SetName("Basic with a password");
        yield return new TestCaseData("Basic " + Base64(":" + Key)).SetName("Basic with the key as password");
        yield return new TestCaseData("Basic " + Base64("someone:" + Key)).SetName("Basic with a user name and the key as password");
        yield return new TestCaseData("Basic not-base64!").SetName("Basic that is not base64");
        yield return new TestCaseData("Basic " + Convert.ToBase64String([0xff, 0xfe, 0x3a])).SetName("Basic that is not UTF-8");
        yield return new TestCaseData("Basic").SetName("Basic alone");
        yield return new TestCaseData("Bearer").SetName("Bearer alone");
        yield return new TestCaseData("Bearer " + Key + "x").SetName("Bearer with a character too many");
        yield return new TestCaseData("Bearer " + Key[..^1]).SetName("Bearer with a character too few");
        yield return new TestCaseData("Bearer " + Key.Replace("atk_", "xyz_", StringComparison.Ordinal)).SetName("Bearer with another prefix");
        yield return new TestCaseData("Bearer " + Key.ToUpperInvariant()).SetName("Bearer with an upper-case key id");
        yield return new TestCaseData("Bearer " + Key[..^1] + "!").SetName("Bearer whose secret is not base64url");
        yield return new TestCaseData("Bearer " + Key + ", Bearer " + Key).SetName("Two credentials");
        yield return new TestCaseData("Digest " + Key).SetName("Another scheme");
        yield return new TestCaseData(Key).SetName("The key without a scheme");
        yield return new TestCaseData("Bearer " + new string('a', 600)).SetName("An oversized header");
    }

    [TestCaseSource(nameof(MalformedHeaders))]
    public void Malformed_headers_are_refused_as_malformed(string header)
    {
        Assert.That(ApiKeyCredentials.TryRead(header, out _, out var secret), Is.EqualTo(RefusalReason.Malformed));
        Assert.That(secret, Is.Empty);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void A_missing_header_is_refused_as_missing(string? header) =>
        Assert.That(ApiKeyCredentials.TryRead(header, out _, out _), Is.EqualTo(RefusalReason.Missing));

    [Test]
    public void A_secret_spelled_with_unused_low_bits_set_is_not_a_second_spelling_of_the_key()
    {
        // The 43rd base64url character carries 4 bits of the secret and 2 unused bits: 'A' and 'B' decode alike.
        var (_, key, _) = ApiKeyText.Generate();
        var last = key[^1];
        var index = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(last, StringComparison.Ordinal);
        var sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[index ^ 1];

        Assert.That(ApiKeyText.TryParse(key[..^1] + sibling, out _, out _), Is.False);
    }

    [Test]
    public void The_secret_is_compared_by_its_hash_with_CryptographicOperations_FixedTimeEquals()
    {
        var (_, key, hash) = ApiKeyText.Generate();
        ApiKeyText.TryParse(key, out _, out var secret);
        var wrong = (byte[])secret.Clone();
        wrong[^1] ^= 1;

        Assert.That(ApiKeyText.Matches(secret, hash), Is.True);
        Assert.That(ApiKeyText.Matches(wrong, hash), Is.False);
        var called = CalledMethods(typeof(ApiKeyText).GetMethod(nameof(ApiKeyText.Matches))!);
        Assert.That(called, Does.Contain("CryptographicOperations.FixedTimeEquals"), "a short-circuiting compare leaks how many bytes matched");
        Assert.That(called.Where(m => m.Contains("SequenceEqual", StringComparison.Ordinal) || m.Contains("Equals", StringComparison.Ordinal)
            && !m.Contains("FixedTimeEquals", StringComparison.Ordinal)), Is.Empty);
    }

    [TestCase("203.0.113.0/24", "203.0.113.0/24")]
    [TestCase("203.0.113.7", "203.0.113.7/32")]
    [TestCase("2001:db8::/32", "2001:db8::/32")]
    [TestCase("2001:db8::7", "2001:db8::7/128")]
    [TestCase("0.0.0.0/0", "0.0.0.0/0")]
    public void Networks_in_CIDR_notation_or_single_addresses_are_read(string text, string network)
    {
        Assert.That(ClientNetworks.TryParse(text, out var parsed), Is.True);
        Assert.That(parsed.ToString(), Is.EqualTo(network));
    }

    [TestCase("203.0.113.7/24")]
    [TestCase("2001:db8::7/32")]
    [TestCase("203.0.113.0/33")]
    [TestCase("10/8")]
    [TestCase("10.1")]
    [TestCase("example.com")]
    [TestCase("203.0.113.0/24 ")]
    [TestCase("")]
    public void Networks_with_host_bits_set_or_not_addresses_are_refused(string text) =>
        Assert.That(ClientNetworks.TryParse(text, out _), Is.False);

    [TestCase("203.0.113.7:51234", "203.0.113.7")]
    [TestCase("203.0.113.7", "203.0.113.7")]
    [TestCase("[2001:db8::7]:443", "2001:db8::7")]
    [TestCase("2001:db8::7", "2001:db8::7")]
    [TestCase("[::ffff:203.0.113.7]:80", "203.0.113.7")]
    public void The_front_ends_Client_IP_value_gives_the_address(string value, string address) =>
        Assert.That(ClientNetworks.ParseClientIp([value]), Is.EqualTo(IPAddress.Parse(address)));

    [Test]
    public void A_missing_repeated_or_garbled_Client_IP_gives_no_address()
    {
        Assert.That(ClientNetworks.ParseClientIp([]), Is.Null);
        Assert.That(ClientNetworks.ParseClientIp(["203.0.113.7", "198.51.100.1"]), Is.Null);
        Assert.That(ClientNetworks.ParseClientIp(["not an address"]), Is.Null);
        Assert.That(ClientNetworks.Allows([IPNetwork.Parse("0.0.0.0/0")], null), Is.False, "an unknown address is in no network");
        Assert.That(ClientNetworks.Allows([], null), Is.True, "a key without networks allows any address");
    }

    [Test]
    public void Records_holding_a_key_do_not_print_it()
    {
        var (keyId, key, hash) = ApiKeyText.Generate();
        var info = new ApiKeyInfo { KeyId = keyId, Account = AccountId.Parse("acme"), Name = "ci", Created = DateTimeOffset.UnixEpoch };
        var created = new CreatedApiKey(info, key);
        var stored = new StoredApiKey(info, hash, default);

        Assert.That(created.ToString(), Does.Not.Contain(key[(4 + 24)..]).And.Contain(keyId));
        Assert.That(stored.ToString(), Does.Not.Contain(Convert.ToBase64String(hash)).And.Not.Contain(Convert.ToHexString(hash)));
        Assert.That(new { created }.ToString(), Does.Not.Contain(key[(4 + 24)..]), "printed as a member of another object");
    }

    [TestCase("acme", "acme")]
    [TestCase("Acme-Corp-2", "acme-corp-2")]
    [TestCase("0ab", "0ab")]
    public void Account_ids_are_case_insensitive_and_kept_in_lower_case(string text, string id)
    {
        Assert.That(AccountId.TryParse(text, out var parsed), Is.True);
        Assert.That(parsed.Value, Is.EqualTo(id));
        Assert.That(parsed, Is.EqualTo(AccountId.Parse(id)));
    }

    [TestCase("")]
    [TestCase("-acme")]
    [TestCase("acme corp")]
    [TestCase("acme_corp")]
    [TestCase("acmé")]
    [TestCase("a234567890123456789012345678901234567890123456789012345678901234x")]
    public void Account_ids_outside_letters_digits_and_dashes_are_refused(string text) =>
        Assert.That(AccountId.TryParse(text, out _), Is.False);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The methods a method's IL calls, as <c>Type.Method</c>.</summary>
    private static List<string> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var called = new List<string>();
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] != OpCodes.Call.Value && il[i] != OpCodes.Callvirt.Value)
            {
                continue;
            }

            try
            {
                var target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1));
                called.Add($"{target!.DeclaringType!.Name}.{target.Name}");
            }
            catch (ArgumentException)
            {
                // Not a call opcode here but an operand byte that happens to look like one.
            }
        }

        return called;
    }
}
