using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Destinations.FileServer;
using AudienceTrends.Core.Destinations.Ftp;
using AudienceTrends.Core.Destinations.Gcs;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Destinations.S3;
using AudienceTrends.Core.Destinations.Sftp;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Tests.Requests;

public class ExportRequestParserTests
{
    // Small limits keep "too many audiences" and "timeframe too long" bodies short; every example fits within them.
    private static readonly IntakeOptions SmallLimits = new() { MaxTimeframeDays = 40, MaxAudiences = 5 };

    private static RequestParseResult Parse(string json, IntakeOptions? limits = null) =>
        Parse(Encoding.UTF8.GetBytes(json), limits);

    private static RequestParseResult Parse(byte[] utf8Json, IntakeOptions? limits = null) =>
        new ExportRequestParser(Options.Create(limits ?? new IntakeOptions()), AppDestinationKinds.Instance).Parse(utf8Json);

    private static byte[] ExampleBytes(string file) => File.ReadAllBytes(RepositoryPaths.Combine("examples", file));

    private static ExportRequest ParseValidExample(string file)
    {
        var result = Parse(ExampleBytes(file));
        Assert.That(result.Errors.ToDictionary(), Is.Empty, file);
        Assert.That(result.IsValid, Is.True);
        return result.Request!;
    }

    private static JsonObject Example(string file) => JsonNode.Parse(ExampleBytes(file))!.AsObject();

    private static JsonObject Destination(JsonObject body) => body["destination"]!.AsObject();

    private static IDictionary<string, string[]> ErrorsOf(string json, IntakeOptions? limits = null)
    {
        var result = Parse(json, limits);
        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Request, Is.Null);
        return result.Errors.ToDictionary();
    }

    private static void AssertCommonFields(ExportRequest request)
    {
        Assert.That(request.Name, Is.EqualTo("audiencetrends"));
        Assert.That(request.FileName, Is.EqualTo("audiencetrends.csv"));
        Assert.That(request.ExportType, Is.EqualTo("csv"));
        Assert.That(request.FirstDay, Is.EqualTo(new DateOnly(2021, 7, 16)));
        Assert.That(request.LastDay, Is.EqualTo(new DateOnly(2021, 8, 16)));
        Assert.That(request.DayCount, Is.EqualTo(32));
        Assert.That(request.Audiences, Is.EqualTo(new[] { "audience1", "audience2" }));
    }

    [Test]
    public void Reference_ui_example_is_a_managed_download()
    {
        var request = ParseValidExample("ui-download.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(ManagedSettings.Instance));
        Assert.That(request.Secrets.IsEmpty, Is.True);
    }

    [Test]
    public void Reference_sftp_example_reads_the_string_port_and_keeps_the_password_apart()
    {
        var request = ParseValidExample("sftp.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(new SftpSettings
        {
            Server = "example.com",
            Port = 21,
            Username = "username",
            Path = "/",
        }));
        Assert.That(request.Secrets, Is.EqualTo(new FileServerSecrets { Password = "password" }));
    }

    [Test]
    public void Reference_s3_example_keeps_bucket_region_and_folder_and_the_keys_apart()
    {
        var request = ParseValidExample("s3.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(new S3Settings
        {
            Bucket = "my_bucket",
            Region = "us-west-2",
            Path = "folder",
        }));
        Assert.That(request.Secrets, Is.EqualTo(new S3Secrets
        {
            AccessKeyId = "A1234567890",
            SecretAccessKey = "B1234567890",
        }));
    }

    [Test]
    public void Reference_gcs_example_has_bucket_and_folder_and_no_secrets()
    {
        var request = ParseValidExample("gcs.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(new GcsSettings
        {
            Bucket = "bucketname",
            Path = "/audiencetrendsexport",
        }));
        Assert.That(request.Secrets.IsEmpty, Is.True);
    }

    [Test]
    public void Ftp_example_reads_the_numeric_port()
    {
        var request = ParseValidExample("ftp.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(new FtpSettings
        {
            Server = "ftp.example.com",
            Port = 21,
            Username = "username",
            Path = "/exports",
            Secure = false,
        }));
        Assert.That(request.Secrets, Is.EqualTo(new FileServerSecrets { Password = "password" }));
    }

    [Test]
    public void Sftp_saved_key_example_names_the_key_and_carries_no_password()
    {
        var request = ParseValidExample("sftp-saved-key.json");

        AssertCommonFields(request);
        Assert.That(request.Destination, Is.EqualTo(new SftpSettings
        {
            Server = "sftp.example.com",
            Port = 2222,
            Username = "username",
            SavedKey = "myKeyName",
            Path = "/exports",
        }));
        Assert.That(request.Secrets.IsEmpty, Is.True);
    }

    [Test]
    public void Every_file_in_examples_is_accepted()
    {
        var files = Directory.GetFiles(RepositoryPaths.Combine("examples"), "*.json");

        Assert.That(files.Select(Path.GetFileName), Is.SupersetOf(new[]
        {
            "ui-download.json", "sftp.json", "s3.json", "gcs.json", "ftp.json", "sftp-saved-key.json",
        }));
        foreach (var file in files)
        {
            Assert.That(Parse(File.ReadAllBytes(file)).Errors.ToDictionary(), Is.Empty, file);
        }
    }

    private static TestCaseData Bad(string description, string example, Action<JsonObject> change, params string[] paths)
    {
        var body = Example(example);
        change(body);
        return new TestCaseData(body.ToJsonString(), paths).SetArgDisplayNames(description);
    }

    private static TestCaseData BadRaw(string description, string json, params string[] paths) =>
        new TestCaseData(json, paths).SetArgDisplayNames(description);

    private static IEnumerable<TestCaseData> BadBodies()
    {
        const string ui = "ui-download.json", ftp = "ftp.json", sftp = "sftp.json", sftpKey = "sftp-saved-key.json";
        const string s3 = "s3.json", gcs = "gcs.json";

        // The body as a whole.
        yield return BadRaw("malformed JSON", """{"name": "audiencetrends", """, "$");
        yield return BadRaw("trailing comma", """{"name": "audiencetrends",}""", "$");
        yield return BadRaw("comment", """{"name": "audiencetrends" /* hi */}""", "$");
        yield return BadRaw("text after the object", """{"name": "audiencetrends"} x""", "$");
        yield return BadRaw("root array", """[{"name": "audiencetrends"}]""", "$");
        yield return BadRaw("root string", "\"audiencetrends\"", "$");
        yield return BadRaw("root null", "null", "$");
        yield return BadRaw("empty body", "", "$");
        yield return BadRaw("blank body", " \r\n\t", "$");
        yield return BadRaw("empty object", "{}",
            "name", "selected_timeframe_start", "selected_timeframe_end", "audiences");

        // name
        yield return Bad("name missing", ui, b => b.Remove("name"), "name");
        yield return Bad("name null", ui, b => b["name"] = null, "name");
        yield return Bad("name a number", ui, b => b["name"] = 42, "name");
        yield return Bad("name empty", ui, b => b["name"] = "", "name");
        yield return Bad("name with a space", ui, b => b["name"] = "audience trends", "name");
        yield return Bad("name with an underscore", ui, b => b["name"] = "audience_trends", "name");
        yield return Bad("name with a dot", ui, b => b["name"] = "trends.csv", "name");
        yield return Bad("name with a non-ASCII letter", ui, b => b["name"] = "trendsé", "name");
        yield return Bad("name 101 characters", ui, b => b["name"] = new string('a', 101), "name");
        yield return BadRaw("name given twice",
            """{"name": "a", "name": "b", "selected_timeframe_start": "2021-07-16", "selected_timeframe_end": "2021-07-16", "audiences": ["x"]}""",
            "name");

        // exportType
        yield return Bad("exportType xlsx", ui, b => b["exportType"] = "xlsx", "exportType");
        yield return Bad("exportType a number", ui, b => b["exportType"] = 1, "exportType");
        yield return Bad("exportType empty", ui, b => b["exportType"] = "", "exportType");

        // destination and its type
        yield return Bad("destination a string", ui, b => b["destination"] = "sftp", "destination");
        yield return Bad("destination an array", ui, b => b["destination"] = new JsonArray("sftp"), "destination");
        yield return Bad("destination type missing", sftp, b => Destination(b).Remove("type"), "destination.type");
        yield return Bad("destination type unknown", sftp, b => Destination(b)["type"] = "dropbox", "destination.type");
        yield return Bad("destination type a number", sftp, b => Destination(b)["type"] = 3, "destination.type");
        yield return Bad("destination type empty", sftp, b => Destination(b)["type"] = "", "destination.type");

        // FTP
        yield return Bad("ftp with only a type", ftp, b => b["destination"] = new JsonObject { ["type"] = "ftp" },
            "destination.server", "destination.port", "destination.username", "destination.password");
        yield return Bad("ftp password empty", ftp, b => Destination(b)["password"] = "", "destination.password");
        yield return Bad("ftp password a number", ftp, b => Destination(b)["password"] = 1234, "destination.password");
        yield return Bad("ftp with a saved key instead of a password", ftp, b =>
        {
            Destination(b).Remove("password");
            Destination(b)["savedKey"] = "myKeyName";
        }, "destination.password");
        yield return Bad("ftp secure yes", ftp, b => Destination(b)["secure"] = "yes", "destination.secure");
        yield return Bad("ftp secure a number", ftp, b => Destination(b)["secure"] = 1, "destination.secure");

        // SFTP credentials: exactly one of password and savedKey
        yield return Bad("sftp with both password and savedKey", sftp, b => Destination(b)["savedKey"] = "myKeyName",
            "destination.password", "destination.savedKey");
        yield return Bad("sftp with neither password nor savedKey", sftp, b => Destination(b).Remove("password"),
            "destination.password");
        yield return Bad("sftp with only a type", sftp, b => b["destination"] = new JsonObject { ["type"] = "sftp" },
            "destination.server", "destination.port", "destination.username", "destination.password");
        yield return Bad("sftp savedKey with a space", sftpKey, b => Destination(b)["savedKey"] = "my key", "destination.savedKey");
        yield return Bad("sftp savedKey with a slash", sftpKey, b => Destination(b)["savedKey"] = "../id_rsa", "destination.savedKey");
        yield return Bad("sftp savedKey 128 characters", sftpKey, b => Destination(b)["savedKey"] = new string('k', 128),
            "destination.savedKey");
        yield return Bad("sftp savedKey empty", sftpKey, b => Destination(b)["savedKey"] = "", "destination.savedKey");
        yield return Bad("sftp savedKey a number", sftpKey, b => Destination(b)["savedKey"] = 7, "destination.savedKey");

        // port
        yield return Bad("port missing", sftp, b => Destination(b).Remove("port"), "destination.port");
        yield return Bad("port abc", sftp, b => Destination(b)["port"] = "abc", "destination.port");
        yield return Bad("port empty string", sftp, b => Destination(b)["port"] = "", "destination.port");
        yield return Bad("port 70000", sftp, b => Destination(b)["port"] = 70000, "destination.port");
        yield return Bad("port \"70000\"", sftp, b => Destination(b)["port"] = "70000", "destination.port");
        yield return Bad("port 65536", sftp, b => Destination(b)["port"] = 65536, "destination.port");
        yield return Bad("port 0", sftp, b => Destination(b)["port"] = 0, "destination.port");
        yield return Bad("port -22", sftp, b => Destination(b)["port"] = -22, "destination.port");
        yield return Bad("port \"-22\"", sftp, b => Destination(b)["port"] = "-22", "destination.port");
        yield return Bad("port 21.5", sftp, b => Destination(b)["port"] = 21.5, "destination.port");
        yield return Bad("port \"21.0\"", sftp, b => Destination(b)["port"] = "21.0", "destination.port");
        yield return Bad("port 1e10", sftp, b => Destination(b)["port"] = JsonNode.Parse("1e10"), "destination.port");
        yield return Bad("port true", sftp, b => Destination(b)["port"] = true, "destination.port");
        yield return Bad("port an array", sftp, b => Destination(b)["port"] = new JsonArray(22), "destination.port");

        // hostKeyFingerprint
        var validHash = new string('A', 43);
        yield return Bad("fingerprint MD5", sftp, b => Destination(b)["hostKeyFingerprint"] = "MD5:aa:bb:cc",
            "destination.hostKeyFingerprint");
        yield return Bad("fingerprint without prefix", sftp, b => Destination(b)["hostKeyFingerprint"] = validHash,
            "destination.hostKeyFingerprint");
        yield return Bad("fingerprint padded", sftp, b => Destination(b)["hostKeyFingerprint"] = "SHA256:" + validHash + "=",
            "destination.hostKeyFingerprint");
        yield return Bad("fingerprint 42 characters", sftp, b => Destination(b)["hostKeyFingerprint"] = "SHA256:" + validHash[1..],
            "destination.hostKeyFingerprint");
        yield return Bad("fingerprint with a dash", sftp, b => Destination(b)["hostKeyFingerprint"] = "SHA256:" + validHash[1..] + "-",
            "destination.hostKeyFingerprint");
        yield return Bad("fingerprint lower-case prefix", sftp, b => Destination(b)["hostKeyFingerprint"] = "sha256:" + validHash,
            "destination.hostKeyFingerprint");

        // server
        yield return Bad("server with scheme", sftp, b => Destination(b)["server"] = "sftp://example.com", "destination.server");
        yield return Bad("server with a path", sftp, b => Destination(b)["server"] = "example.com/uploads", "destination.server");
        yield return Bad("server with a space", sftp, b => Destination(b)["server"] = "exa mple.com", "destination.server");
        yield return Bad("server with a newline", sftp, b => Destination(b)["server"] = "example.com\n", "destination.server");
        yield return Bad("server with a port", sftp, b => Destination(b)["server"] = "example.com:22", "destination.server");
        yield return Bad("server IPv6 with a port", sftp, b => Destination(b)["server"] = "[::1]:22", "destination.server");
        yield return Bad("server with an at sign", sftp, b => Destination(b)["server"] = "user@example.com", "destination.server");
        yield return Bad("server with an empty label", sftp, b => Destination(b)["server"] = "example..com", "destination.server");
        yield return Bad("server 254 characters", sftp, b => Destination(b)["server"] = LongHostName(254), "destination.server");
        yield return Bad("server empty", sftp, b => Destination(b)["server"] = "", "destination.server");
        yield return Bad("server a number", sftp, b => Destination(b)["server"] = 10, "destination.server");

        // username
        yield return Bad("username 257 characters", sftp, b => Destination(b)["username"] = new string('u', 257),
            "destination.username");
        yield return Bad("username with a control character", sftp, b => Destination(b)["username"] = "user\u0001",
            "destination.username");
        yield return Bad("username empty", ftp, b => Destination(b)["username"] = "", "destination.username");
        yield return Bad("username an object", ftp, b => Destination(b)["username"] = new JsonObject(), "destination.username");

        // path
        yield return Bad("path with a .. segment", sftp, b => Destination(b)["path"] = "/exports/../etc", "destination.path");
        yield return Bad("path that is ..", ftp, b => Destination(b)["path"] = "..", "destination.path");
        yield return Bad("path with a backslash .. segment", gcs, b => Destination(b)["path"] = "exports\\..\\other",
            "destination.path");
        yield return Bad("path ending in ..", s3, b => Destination(b)["path"] = "folder/..", "destination.path");
        yield return Bad("path with a control character", sftp, b => Destination(b)["path"] = "/exports\u0007",
            "destination.path");
        yield return Bad("path 1025 characters", sftp, b => Destination(b)["path"] = "/" + new string('p', 1024),
            "destination.path");
        yield return Bad("path a number", gcs, b => Destination(b)["path"] = 5, "destination.path");

        // S3
        yield return Bad("s3 with only a type", s3, b => b["destination"] = new JsonObject { ["type"] = "s3" },
            "destination.aws_access_key_id", "destination.aws_secret_access_key", "destination.aws_bucket",
            "destination.aws_region");
        yield return Bad("s3 access key id a number", s3, b => Destination(b)["aws_access_key_id"] = 1234567890,
            "destination.aws_access_key_id");
        yield return Bad("s3 secret key empty", s3, b => Destination(b)["aws_secret_access_key"] = "",
            "destination.aws_secret_access_key");
        yield return Bad("s3 bucket 2 characters", s3, b => Destination(b)["aws_bucket"] = "ab", "destination.aws_bucket");
        yield return Bad("s3 bucket 223 characters", s3, b => Destination(b)["aws_bucket"] = new string('b', 223),
            "destination.aws_bucket");
        yield return Bad("s3 bucket with a slash", s3, b => Destination(b)["aws_bucket"] = "bucket/folder", "destination.aws_bucket");
        yield return Bad("s3 bucket as a URL", s3, b => Destination(b)["aws_bucket"] = "s3://bucket", "destination.aws_bucket");
        yield return Bad("s3 region upper case", s3, b => Destination(b)["aws_region"] = "US-WEST-2", "destination.aws_region");
        yield return Bad("s3 region with spaces", s3, b => Destination(b)["aws_region"] = "us west 2", "destination.aws_region");
        yield return Bad("s3 region 1 character", s3, b => Destination(b)["aws_region"] = "u", "destination.aws_region");
        yield return Bad("s3 region 33 characters", s3, b => Destination(b)["aws_region"] = new string('r', 33),
            "destination.aws_region");

        // GCS
        yield return Bad("gcs bucket missing", gcs, b => Destination(b).Remove("gcs_bucket"), "destination.gcs_bucket");
        yield return Bad("gcs bucket null", gcs, b => Destination(b)["gcs_bucket"] = null, "destination.gcs_bucket");
        yield return Bad("gcs bucket 2 characters", gcs, b => Destination(b)["gcs_bucket"] = "ab", "destination.gcs_bucket");
        yield return Bad("gcs bucket with a space", gcs, b => Destination(b)["gcs_bucket"] = "my bucket", "destination.gcs_bucket");

        // Timeframe
        yield return Bad("dates missing", ui, b =>
        {
            b.Remove("selected_timeframe_start");
            b.Remove("selected_timeframe_end");
        }, "selected_timeframe_start", "selected_timeframe_end");
        yield return Bad("start with slashes", ui, b => b["selected_timeframe_start"] = "2021/07/16", "selected_timeframe_start");
        yield return Bad("start without leading zero", ui, b => b["selected_timeframe_start"] = "2021-7-16", "selected_timeframe_start");
        yield return Bad("start day first", ui, b => b["selected_timeframe_start"] = "16-07-2021", "selected_timeframe_start");
        yield return Bad("start with a time", ui, b => b["selected_timeframe_start"] = "2021-07-16T00:00:00",
            "selected_timeframe_start");
        yield return Bad("start 30 February", ui, b => b["selected_timeframe_start"] = "2021-02-30", "selected_timeframe_start");
        yield return Bad("start with a space", ui, b => b["selected_timeframe_start"] = " 2021-07-16", "selected_timeframe_start");
        yield return Bad("start a number", ui, b => b["selected_timeframe_start"] = 20210716, "selected_timeframe_start");
        yield return Bad("end empty", ui, b => b["selected_timeframe_end"] = "", "selected_timeframe_end");
        yield return Bad("start after end", ui, b =>
        {
            b["selected_timeframe_start"] = "2021-08-17";
            b["selected_timeframe_end"] = "2021-08-16";
        }, "selected_timeframe_end");
        yield return Bad("span 41 days with a limit of 40", ui, b => b["selected_timeframe_end"] = "2021-08-25",
            "selected_timeframe_end");

        // Audiences
        yield return Bad("audiences missing", ui, b => b.Remove("audiences"), "audiences");
        yield return Bad("audiences a string", ui, b => b["audiences"] = "audience1", "audiences");
        yield return Bad("audiences an object", ui, b => b["audiences"] = new JsonObject { ["0"] = "audience1" }, "audiences");
        yield return Bad("0 audiences", ui, b => b["audiences"] = new JsonArray(), "audiences");
        yield return Bad("6 audiences with a limit of 5", ui,
            b => b["audiences"] = new JsonArray("a1", "a2", "a3", "a4", "a5", "a6"), "audiences");
        yield return Bad("blank audience", ui, b => b["audiences"] = new JsonArray("audience1", " \t"), "audiences[1]");
        yield return Bad("empty audience", ui, b => b["audiences"] = new JsonArray("", "audience1"), "audiences[0]");
        yield return Bad("audience 201 characters", ui, b => b["audiences"] = new JsonArray("a1", new string('x', 201)),
            "audiences[1]");
        yield return Bad("audience with a newline", ui, b => b["audiences"] = new JsonArray("a1", "a2", "line\nbreak"),
            "audiences[2]");
        yield return Bad("duplicate audience", ui, b => b["audiences"] = new JsonArray("a", "b", "c", "a"), "audiences[3]");
        yield return Bad("audiences not strings", ui, b => b["audiences"] = new JsonArray(1, null, "ok", new JsonArray()),
            "audiences[0]", "audiences[1]", "audiences[3]");
    }

    private static string LongHostName(int length) =>
        string.Join('.', Enumerable.Repeat(new string('h', 63), 4))[..length];

    [TestCaseSource(nameof(BadBodies))]
    public void Bad_body_is_rejected_at_each_offending_field(string json, string[] expectedPaths)
    {
        var errors = ErrorsOf(json, SmallLimits);

        Assert.That(errors.Keys, Is.EquivalentTo(expectedPaths));
        foreach (var (path, messages) in errors.Where(e => e.Key != ExportRequestParser.BodyPath))
        {
            Assert.That(messages, Is.Not.Empty);
            Assert.That(messages, Has.All.Contains(path), "every message names its field");
        }
    }

    [Test]
    public void Malformed_json_says_where()
    {
        const string json = "{\n  \"name\": \"audiencetrends\",\n  \"exportType\": ,\n}";

        Assert.That(ErrorsOf(json), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["$"] = ["The request body is not valid JSON: the problem is at line 3, byte 17 of that line."],
        }));
    }

    [Test]
    public void Invalid_utf8_is_rejected_as_a_whole()
    {
        var body = Encoding.UTF8.GetBytes("""{"name": "audiencetrends", "audiences": ["a"]}""");
        body[10] = 0xFF;

        Assert.That(Parse(body).Errors.ToDictionary(), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["$"] = ["The request body must be UTF-8 text: it contains bytes that are not valid UTF-8."],
        }));
    }

    [TestCase("""{"name": "\uD800"}""")]
    [TestCase("""{"\uDC00": 1}""")]
    public void Escaped_lone_surrogate_is_rejected_without_throwing(string json)
    {
        Assert.That(ErrorsOf(json), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["$"] = ["The request body contains a \\u escape that is not valid Unicode (a lone surrogate)."],
        }));
    }

    [Test]
    public void Body_with_many_problems_reports_them_all()
    {
        var errors = ErrorsOf("""
            {
              "name": "my export!",
              "exportType": "xml",
              "destination": {
                "type": "sftp",
                "server": "sftp://example.com",
                "port": "abc",
                "username": "username",
                "password": "password",
                "savedKey": "myKeyName",
                "path": "/exports/../../etc"
              },
              "selected_timeframe_start": "2021-08-17",
              "selected_timeframe_end": "2021-08-16",
              "audiences": ["audience1", "", "audience2", "audience1", 7]
            }
            """, SmallLimits);

        Assert.That(errors.Keys, Is.EquivalentTo(new[]
        {
            "name", "exportType", "destination.server", "destination.port", "destination.password",
            "destination.savedKey", "destination.path", "selected_timeframe_end", "audiences[1]", "audiences[3]",
            "audiences[4]",
        }));
        Assert.That(errors["audiences[3]"], Is.EqualTo(new[] { "audiences[3] duplicates audiences[0]: name each audience once." }));
        Assert.That(errors["destination.port"], Is.EqualTo(new[]
        {
            "destination.port must be a whole number between 1 and 65535, given as a number or a numeric string.",
        }));
        Assert.That(errors["destination.password"], Is.EqualTo(new[]
        {
            "destination.password and destination.savedKey are both given: give exactly one of them.",
        }));
        Assert.That(errors["destination.savedKey"], Is.EqualTo(errors["destination.password"]));
        Assert.That(errors["selected_timeframe_end"], Is.EqualTo(new[]
        {
            "selected_timeframe_end must not be before selected_timeframe_start.",
        }));
    }

    [Test]
    public void Missing_sftp_credentials_name_both_choices()
    {
        var body = Example("sftp.json");
        Destination(body).Remove("password");

        Assert.That(ErrorsOf(body.ToJsonString())["destination.password"], Is.EqualTo(new[]
        {
            "SFTP needs destination.password or destination.savedKey (the name of a key held by the service): give exactly one of them.",
        }));
    }

    [Test]
    public void Too_long_timeframe_says_how_long_and_the_limit()
    {
        var body = Example("ui-download.json");
        body["selected_timeframe_end"] = "2021-08-25";

        Assert.That(ErrorsOf(body.ToJsonString(), SmallLimits)["selected_timeframe_end"], Is.EqualTo(new[]
        {
            "The timeframe from selected_timeframe_start to selected_timeframe_end covers 41 days; at most 40 days (both ends counted) can be exported at once.",
        }));
    }

    [Test]
    public void Too_many_audiences_says_how_many_and_the_limit()
    {
        var body = Example("ui-download.json");
        body["audiences"] = new JsonArray("a1", "a2", "a3", "a4", "a5", "a6");

        Assert.That(ErrorsOf(body.ToJsonString(), SmallLimits)["audiences"], Is.EqualTo(new[]
        {
            "audiences names 6 audiences; at most 5 can be exported at once.",
        }));
    }

    private const string Password = "Pw7f3Kq9zXvQ";
    private const string AccessKeyId = "AKIAZX7QWERTY1234567";
    private const string SecretKey = "sK/9vQ+w8eR7tY6uI5oP4aS3dF2gH1jKlZxCvBnM";

    private static IEnumerable<TestCaseData> BodiesCarryingSecrets()
    {
        var sftp = Example("sftp.json");
        Destination(sftp)["password"] = Password;
        Destination(sftp)["savedKey"] = "myKeyName";
        Destination(sftp)["port"] = "abc";
        yield return new TestCaseData(sftp.ToJsonString()).SetArgDisplayNames("sftp password next to broken fields");

        var s3 = Example("s3.json");
        Destination(s3)["aws_access_key_id"] = AccessKeyId;
        Destination(s3)["aws_secret_access_key"] = SecretKey;
        Destination(s3)["aws_bucket"] = "b";
        Destination(s3)["aws_region"] = "US";
        s3["audiences"] = new JsonArray();
        yield return new TestCaseData(s3.ToJsonString()).SetArgDisplayNames("s3 keys next to broken fields");

        // Secrets pasted into the wrong fields, where a message might be tempted to quote the value.
        var misplaced = Example("sftp.json");
        misplaced["name"] = Password + "!";
        misplaced["exportType"] = SecretKey;
        misplaced["selected_timeframe_start"] = AccessKeyId;
        misplaced["audiences"] = new JsonArray(Password + "\u0001", SecretKey + "\n");
        Destination(misplaced)["type"] = "sftp";
        Destination(misplaced)["server"] = $"ftp://user:{Password}@example.com";
        Destination(misplaced)["username"] = Password + "\u0000";
        Destination(misplaced)["port"] = Password;
        Destination(misplaced)["savedKey"] = SecretKey;
        Destination(misplaced)["hostKeyFingerprint"] = SecretKey;
        Destination(misplaced)["path"] = "../" + Password;
        yield return new TestCaseData(misplaced.ToJsonString()).SetArgDisplayNames("secrets in the wrong fields");

        var misplacedS3 = Example("s3.json");
        Destination(misplacedS3)["aws_bucket"] = SecretKey;
        Destination(misplacedS3)["aws_region"] = AccessKeyId;
        Destination(misplacedS3)["type"] = "s3";
        yield return new TestCaseData(misplacedS3.ToJsonString()).SetArgDisplayNames("s3 keys in bucket and region");

        var unknownType = Example("sftp.json");
        Destination(unknownType)["type"] = Password;
        yield return new TestCaseData(unknownType.ToJsonString()).SetArgDisplayNames("password as destination type");

        // A raw control character inside the password string breaks the JSON right there.
        yield return new TestCaseData(
            $"{{\"name\": \"n\", \"destination\": {{\"type\": \"ftp\", \"password\": \"{Password}\u0001{SecretKey}\"}}}}")
            .SetArgDisplayNames("malformed JSON inside the password");
    }

    [TestCaseSource(nameof(BodiesCarryingSecrets))]
    public void Error_messages_never_contain_a_secret(string json)
    {
        var errors = ErrorsOf(json);

        Assert.That(errors, Is.Not.Empty);
        var everything = string.Join("\n", errors.Select(e => e.Key + ": " + string.Join("\n", e.Value)));
        Assert.That(everything, Does.Not.Contain(Password));
        Assert.That(everything, Does.Not.Contain(AccessKeyId));
        Assert.That(everything, Does.Not.Contain(SecretKey));
        Assert.That(everything, Does.Not.Contain("Pw7f3"), "not even part of the password");
    }

    [Test]
    public void Unknown_fields_are_ignored()
    {
        var body = Example("sftp.json");
        body["priority"] = "high";
        body["Name"] = "not the name property";
        body["extra"] = new JsonObject { ["nested"] = new JsonArray(1, 2) };
        Destination(body)["timeout"] = 30;
        Destination(body)["Password"] = "wrong case, so unknown";

        var result = Parse(body.ToJsonString());

        Assert.That(result.IsValid, Is.True, () => string.Join("; ", result.Errors.ToDictionary().Keys));
        Assert.That(result.Request!.Name, Is.EqualTo("audiencetrends"));
        Assert.That(((FileServerSecrets)result.Request.Secrets).Password, Is.EqualTo("password"));
    }

    [Test]
    public void Fields_of_other_destination_types_are_ignored()
    {
        var body = Example("s3.json");
        Destination(body)["server"] = "sftp://not a host";
        Destination(body)["port"] = "abc";
        Destination(body)["password"] = 5;
        Destination(body)["savedKey"] = "also here";
        Destination(body)["gcs_bucket"] = "x";

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        // The settings and secrets are S3's own records, exactly as the example has them: nothing else got in.
        Assert.That(result.Request!.Destination, Is.EqualTo(new S3Settings { Bucket = "my_bucket", Region = "us-west-2", Path = "folder" }));
        Assert.That(result.Request.Secrets, Is.EqualTo(new S3Secrets { AccessKeyId = "A1234567890", SecretAccessKey = "B1234567890" }));
    }

    [Test]
    public void Aws_type_ignores_every_other_destination_field()
    {
        var body = Example("ui-download.json");
        Destination(body)["type"] = "AWS";
        Destination(body)["path"] = "../x";
        Destination(body)["aws_bucket"] = "b";

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.Destination, Is.EqualTo(ManagedSettings.Instance));
    }

    [TestCase(null)]
    [TestCase("null")]
    public void Absent_destination_means_managed_download(string? destination)
    {
        var body = Example("ui-download.json");
        body.Remove("destination");
        if (destination is not null)
        {
            body["destination"] = JsonNode.Parse(destination);
        }

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.Destination, Is.EqualTo(ManagedSettings.Instance));
        Assert.That(result.Request.Secrets, Is.SameAs(NoSecrets.Instance));
    }

    [TestCase("SFTP", "sftp")]
    [TestCase("Sftp", "sftp")]
    [TestCase("FTP", "ftp")]
    [TestCase("S3", "s3")]
    [TestCase("GCS", "gcs")]
    public void Destination_type_is_case_insensitive(string type, string expected)
    {
        var body = Example(expected switch
        {
            "ftp" => "ftp.json",
            "s3" => "s3.json",
            "gcs" => "gcs.json",
            _ => "sftp.json",
        });
        Destination(body)["type"] = type;

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.Destination.Type, Is.EqualTo(expected));
    }

    [TestCase("CSV")]
    [TestCase("Csv")]
    [TestCase(null)]
    public void Export_type_csv_in_any_case_or_absent_means_csv(string? exportType)
    {
        var body = Example("ui-download.json");
        body["exportType"] = exportType;

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.ExportType, Is.EqualTo("csv"));
    }

    [TestCase("1", 1)]
    [TestCase("65535", 65535)]
    [TestCase(" 2222 ", 2222)]
    [TestCase("22", 22)]
    public void Port_accepts_numeric_strings(string port, int expected)
    {
        var body = Example("sftp.json");
        Destination(body)["port"] = port;

        Assert.That((Parse(body.ToJsonString()).Request?.Destination as FileServerSettings)?.Port, Is.EqualTo(expected));
    }

    [TestCase("1", 1)]
    [TestCase("65535", 65535)]
    [TestCase("22.0", 22)]
    public void Port_accepts_whole_numbers(string port, int expected)
    {
        var body = Example("ftp.json");
        Destination(body)["port"] = JsonNode.Parse(port);

        Assert.That((Parse(body.ToJsonString()).Request?.Destination as FileServerSettings)?.Port, Is.EqualTo(expected));
    }

    [Test]
    public void Sftp_host_key_fingerprint_is_kept()
    {
        const string fingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        var body = Example("sftp-saved-key.json");
        Destination(body)["hostKeyFingerprint"] = fingerprint;

        Assert.That((Parse(body.ToJsonString()).Request?.Destination as SftpSettings)?.HostKeyFingerprint, Is.EqualTo(fingerprint));
    }

    [TestCase("true", true)]
    [TestCase("false", false)]
    [TestCase("\"true\"", true)]
    [TestCase("\"False\"", false)]
    public void Ftp_secure_flag_is_read(string secure, bool expected)
    {
        var body = Example("ftp.json");
        Destination(body)["secure"] = JsonNode.Parse(secure);

        Assert.That((Parse(body.ToJsonString()).Request?.Destination as FtpSettings)?.Secure, Is.EqualTo(expected));
    }

    [TestCase("203.0.113.7")]
    [TestCase("::1")]
    [TestCase("[2001:db8::1]")]
    [TestCase("localhost")]
    [TestCase("internal_host.corp.example")]
    [TestCase("SFTP.Example.COM")]
    public void Server_accepts_host_names_and_ip_literals(string server)
    {
        var body = Example("sftp.json");
        Destination(body)["server"] = server;

        Assert.That((Parse(body.ToJsonString()).Request?.Destination as FileServerSettings)?.Server, Is.EqualTo(server));
    }

    [Test]
    public void Longest_allowed_values_are_accepted()
    {
        var body = Example("sftp.json");
        body["name"] = new string('n', 100);
        Destination(body)["server"] = LongHostName(253);
        Destination(body)["username"] = new string('u', 256);
        Destination(body)["path"] = "/" + new string('p', 1023);
        body["selected_timeframe_end"] = "2021-08-24";
        body["audiences"] = new JsonArray("a1", "a2", "a3", "a4", new string('x', 200));

        var result = Parse(body.ToJsonString(), SmallLimits);

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.DayCount, Is.EqualTo(40));
        Assert.That(result.Request.Audiences, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task A_saved_key_bound_elsewhere_passes_the_parse_and_is_refused_by_the_destination_check()
    {
        var body = Example("sftp-saved-key.json");
        Destination(body)["server"] = "sftp.other.example";
        var parser = new ExportRequestParser(Options.Create(new IntakeOptions()), AppDestinationKinds.Instance);

        // Reading the body does no I/O: whether the service holds the key is asked of its store afterwards, awaited.
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        Assert.That(parser.Parse(bytes).Errors.ToDictionary(), Is.Empty);
        var result = await parser.ParseAndCheckAsync(bytes, TestAccounts.DemoId, CancellationToken.None);

        Assert.That(result.Errors.ToDictionary(), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["destination.savedKey"] =
            [
                "destination.savedKey may not be used for destination.server: each saved key logs in only to the hosts listed for it (GET /v2/sftpkeys/{name} shows them).",
            ],
        }));
    }

    [Test]
    public void Shortest_allowed_values_are_accepted()
    {
        var body = Example("sftp-saved-key.json");
        body["name"] = "n";
        Destination(body)["savedKey"] = ExampleSavedKey.ShortestName;
        Destination(body)["path"] = "";
        body["selected_timeframe_end"] = "2021-07-16";
        body["audiences"] = new JsonArray("a");

        var result = Parse(body.ToJsonString(), SmallLimits);

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.DayCount, Is.EqualTo(1));
        Assert.That(((SftpSettings)result.Request.Destination).SavedKey, Is.EqualTo(ExampleSavedKey.ShortestName));
        Assert.That(((SftpSettings)result.Request.Destination).Path, Is.Null);
    }

    [Test]
    public void Audience_names_that_are_hard_for_csv_are_valid_and_keep_their_order()
    {
        string[] audiences = ["=SUM(A1)", "+1", "-minus", "@at", "comma, inside", "quote \" inside", "ÄÖÜ 日本", " padded "];
        var body = Example("ui-download.json");
        body["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]);

        var result = Parse(body.ToJsonString());

        Assert.That(result.Errors.ToDictionary(), Is.Empty);
        Assert.That(result.Request!.Audiences, Is.EqualTo(audiences));
    }

    [Test]
    public void Audiences_differing_only_in_case_are_distinct()
    {
        var body = Example("ui-download.json");
        body["audiences"] = new JsonArray("Audience1", "audience1");

        Assert.That(Parse(body.ToJsonString()).Request?.Audiences, Is.EqualTo(new[] { "Audience1", "audience1" }));
    }

    [Test]
    public void Utf8_byte_order_mark_is_accepted()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. ExampleBytes("gcs.json")];

        Assert.That(Parse(body).IsValid, Is.True);
    }

    [Test]
    public void Parser_is_registered_as_a_singleton_using_intake_settings()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Intake:MaxAudiences"] = "1" })
            .Build();
        using var provider = new ServiceCollection().AddRequests(configuration).AddDestinations(configuration).BuildServiceProvider();

        var parser = provider.GetRequiredService<ExportRequestParser>();

        Assert.That(provider.GetRequiredService<ExportRequestParser>(), Is.SameAs(parser));
        Assert.That(parser.Parse(ExampleBytes("gcs.json")).Errors.ToDictionary().Keys, Is.EqualTo(new[] { "audiences" }));
    }
}
