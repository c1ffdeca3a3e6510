using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Readers;

namespace AudienceTrends.Tests.Api;

/// <summary>
/// openapi.yaml against the real app, so the document cannot drift: its operations are the build's HTTP functions,
/// every status it claims is produced by driving the app (in-process host, real Azurite and SQLite) with a body of
/// the documented shape and media type, its required request fields are really required, and its examples are the
/// files in examples/.
/// </summary>
public sealed class OpenApiContractTests
{
    private const string ExportPath = "/v2/audiencetrendsexport";
    private const string JobPath = "/v2/jobs/{id}";
    private const string CancelPath = "/v2/jobs/{id}/cancel";
    private const string JobsPath = "/v2/jobs";
    private const string DestinationTestPath = "/v2/destinations/test";
    private const string SftpKeysPath = "/v2/sftpkeys";
    private const string SftpKeyPath = "/v2/sftpkeys/{name}";
    private const string TrendsPath = "/v2/audiencetrends";
    private const string UiPath = "/ui/{path}";

    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    // Started on first use, so the tests that only read files do not need Azurite.
    private InProcessFunctionsHost? _app;

    [OneTimeTearDown]
    public async Task StopApp()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<InProcessFunctionsHost> AppAsync() =>
        _app ??= (await TestApp.StartInProcessAsync(await TestApp.SettingsAsync())).Host;

    [Test]
    public void Document_is_valid_openapi_3_0()
    {
        var parsed = new OpenApiStringReader().Read(File.ReadAllText(RepositoryPaths.Combine("openapi.yaml")), out var diagnostic);

        Assert.That(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"), Is.Empty);
        Assert.That(diagnostic.SpecificationVersion, Is.EqualTo(OpenApiSpecVersion.OpenApi3_0));
        Assert.That(parsed.Paths.Keys, Is.EquivalentTo(Document.Operations.Select(o => o.Path).Distinct()), "both readers see the same paths");
    }

    [Test]
    public void Operations_are_exactly_the_http_functions_of_the_build()
    {
        var routePrefix = HostRoutePrefix();
        var functions = FunctionMetadata.Load().Where(f => f.Trigger.Type == "httpTrigger")
            .SelectMany(f => f.Trigger.Methods.Select(m => (Key: $"{m} {RoutePath(routePrefix, f.Trigger.Route!)}", f.Name)))
            .ToDictionary(f => f.Key, f => f.Name);
        var documented = Document.Operations.ToDictionary(o => o.ToString(), o => o.OperationId);

        Assert.That(documented.Keys, Is.EquivalentTo(functions.Keys), "path + method of the document vs functions.metadata");
        Assert.That(documented, Is.EquivalentTo(functions), "each operationId is the function's name");
    }

    [Test]
    public void Each_operation_declares_the_credentials_its_auth_level_takes_and_documents_their_401()
    {
        var schemes = Document.Root["components"]!["securitySchemes"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(schemes["basic"]!["type"]!.GetValue<string>(), Is.EqualTo("http"));
            Assert.That(schemes["basic"]!["scheme"]!.GetValue<string>(), Is.EqualTo("basic"), "API key as user name, empty password");
            Assert.That(schemes["bearer"]!["type"]!.GetValue<string>(), Is.EqualTo("http"));
            Assert.That(schemes["bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
            Assert.That(schemes["masterKeyHeader"]!["in"]!.GetValue<string>(), Is.EqualTo("header"));
            Assert.That(schemes["masterKeyHeader"]!["name"]!.GetValue<string>(), Is.EqualTo("x-functions-key"));
            Assert.That(schemes["masterKeyQuery"]!["in"]!.GetValue<string>(), Is.EqualTo("query"));
            Assert.That(schemes["masterKeyQuery"]!["name"]!.GetValue<string>(), Is.EqualTo("code"));
        });

        var routePrefix = HostRoutePrefix();
        var authLevels = FunctionMetadata.Load().Where(f => f.Trigger.Type == "httpTrigger")
            .SelectMany(f => f.Trigger.Methods.Select(m => (Key: $"{m} {RoutePath(routePrefix, f.Trigger.Route!)}", f.Trigger.AuthLevel)))
            .ToDictionary(f => f.Key, f => f.AuthLevel);
        var used = new HashSet<string>();
        Assert.Multiple(() =>
        {
            foreach (var operation in Document.Operations)
            {
                var security = (operation.Node["security"] ?? Document.Root["security"])?.AsArray()
                    .SelectMany(requirement => requirement!.AsObject().Select(s => s.Key)).ToList() ?? [];
                used.UnionWith(security);
                var level = authLevels[operation.ToString()];
                // Anonymous at the host: the app itself requires an account key (Accounts/DefaultDenyTests proves it
                // answers 401), but for a public operation (security: [], the health status) which takes none.
                // Admin: the host requires its master key. No route takes a function key.
                var isPublic = operation.Node["security"] is JsonArray { Count: 0 };
                var (expected, unauthorized) = (level?.ToLowerInvariant(), isPublic) switch
                {
                    ("anonymous", true) => (Array.Empty<string>(), (string?)null),
                    ("anonymous", false) => (new[] { "basic", "bearer" }, "#/components/responses/Unauthorized"),
                    ("admin", false) => (new[] { "masterKeyHeader", "masterKeyQuery" }, "#/components/responses/MasterKeyUnauthorized"),
                    _ => (Array.Empty<string>(), "none: a function or system key route, or a public one above Anonymous, is not expected"),
                };
                Assert.That(security, Is.EquivalentTo(expected), $"{operation} ({level}) security");
                Assert.That(operation.Responses["401"]?["$ref"]?.GetValue<string>(), Is.EqualTo(unauthorized), $"{operation} ({level}) 401");
            }
        });
        Assert.That(schemes.Select(s => s.Key), Is.EquivalentTo(used), "every declared scheme is one an operation uses: no function-key schemes");
    }

    /// <summary>
    /// Every status the document claims, except the operators' 401: the Functions host answers it before the app
    /// runs, and the in-process stand-in does not check keys; the test above ties it to the function's auth level.
    /// A customer route's 401 is the app's own, produced here by a request without a key.
    /// </summary>
    public static IEnumerable<TestCaseData> DocumentedResponses() =>
        Document.Operations.SelectMany(o => o.Responses.Select(r => (Operation: o, Status: r.Key)))
            .Where(c => c.Status != "401" || c.Operation.Responses[c.Status]!["$ref"]?.GetValue<string>() == "#/components/responses/Unauthorized")
            .Select(c => new TestCaseData(c.Operation.Method, c.Operation.Path, c.Status)
                .SetArgDisplayNames(c.Operation.Method, c.Operation.Path, c.Status));

    [TestCaseSource(nameof(DocumentedResponses))]
    public async Task Each_documented_response_is_produced_with_its_headers_media_type_and_required_properties(
        string method, string path, string status)
    {
        var scenario = Scenarios.GetValueOrDefault($"{method} {path} {status}") ?? AccountScenarios.All.GetValueOrDefault($"{method} {path} {status}")
            ?? ScheduleScenarios.All.GetValueOrDefault($"{method} {path} {status}")
            ?? HealthScenarios.All.GetValueOrDefault($"{method} {path} {status}")
            ?? (status == "401" ? app => WithoutKeyAsync(app, method, path) : null);
        Assert.That(scenario, Is.Not.Null, $"no scenario produces {method} {path} {status}: add one, or drop the claim");

        using var response = await scenario!(await AppAsync());

        var documented = Document.Resolve(Document.Operation(method, path).Responses[status]!);
        Assert.That(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), Is.EqualTo(status),
            await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            // Every documented header, optional ones included: each scenario is built to produce them all.
            foreach (var (name, headerNode) in documented["headers"]?.AsObject() ?? [])
            {
                var value = HeaderValue(response, name);
                Assert.That(value, Is.Not.Null.And.Not.Empty, $"header {name}");
                if (Document.Resolve(headerNode!)["schema"]?["type"]?.GetValue<string>() == "integer")
                {
                    Assert.That(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _), Is.True, $"header {name} is an integer: {value}");
                }
            }
        });

        var content = documented["content"]?.AsObject();
        if (content is null)
        {
            Assert.That(body, Is.Empty, "the document describes no body");
            return;
        }

        var (mediaType, media) = content.Single();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            Assert.That(body, Is.Not.Empty, "a file");
            return;
        }

        var problems = new List<string>();
        Document.Check(JsonNode.Parse(body), media!["schema"]!, "$", problems);
        Assert.That(problems, Is.Empty, body);
    }

    public static IEnumerable<TestCaseData> DocumentedExamples() =>
        ExportExamples().Select(e => new TestCaseData(e.Key).SetArgDisplayNames(e.Key));

    [Test]
    public void Documented_examples_are_the_files_in_examples()
    {
        var files = Directory.GetFiles(RepositoryPaths.Combine("examples"), "*.json")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => JsonNode.Parse(File.ReadAllText(f)));
        var documented = ExportExamples().ToDictionary(e => e.Key, e => e.Value!["value"]);

        Assert.That(documented.Keys, Is.EquivalentTo(files.Keys), "one named example per file, named after it");
        Assert.Multiple(() =>
        {
            foreach (var (name, value) in documented)
            {
                Assert.That(JsonNode.DeepEquals(value, files[name]), Is.True,
                    $"example {name}:\n{value?.ToJsonString()}\nexamples/{name}.json:\n{files[name]?.ToJsonString()}");
            }
        });
    }

    [TestCaseSource(nameof(DocumentedExamples))]
    public async Task Each_required_field_is_rejected_when_missing_under_its_own_path(string example)
    {
        var body = ExportExamples().Single(e => e.Key == example).Value!["value"]!.AsObject();
        var schema = Document.Operation("POST", ExportPath).Node["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var required = Document.RequiredFields(body, schema);
        Assert.That(required.Select(r => r.Path), Is.SupersetOf(new[] { "name", "selected_timeframe_start", "selected_timeframe_end", "audiences", "destination.type" }),
            "the schema's required lists were followed");

        var client = (await AppAsync()).Client;
        using (var whole = await client.PostExportAsync(body.ToJsonString()))
        {
            Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "the example itself is accepted");
        }

        foreach (var field in required)
        {
            var without = body.DeepClone().AsObject();
            var segments = field.Path.Split('.');
            var parent = segments[..^1].Aggregate((JsonNode)without, (node, segment) => node[segment]!).AsObject();
            Assert.That(parent.Remove(segments[^1]), Is.True, field.Path);

            using var response = await client.PostExportAsync(without.ToJsonString());
            var answer = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"without {field.Path}: {answer}");
            var errorKeys = JsonNode.Parse(answer)!["errors"]!.AsObject().Select(e => e.Key).ToList();
            Assert.That(errorKeys, Has.Some.AnyOf(field.ErrorKeys.ToArray()), $"without {field.Path}: {answer}");
        }
    }

    [TestCaseSource(nameof(DocumentedExamples))]
    public async Task Each_field_the_document_leaves_optional_can_be_left_out(string example)
    {
        var body = ExportExamples().Single(e => e.Key == example).Value!["value"]!.AsObject();
        var schema = Document.Operation("POST", ExportPath).Node["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var required = Document.RequiredFields(body, schema).Select(r => r.Path).ToHashSet();
        var optional = Paths(body, "").Where(p => !required.Contains(p)).ToList();
        Assert.That(optional, Does.Contain("exportType"));

        var client = (await AppAsync()).Client;
        foreach (var path in optional)
        {
            var without = body.DeepClone().AsObject();
            var segments = path.Split('.');
            segments[..^1].Aggregate((JsonNode)without, (node, segment) => node[segment]!).AsObject().Remove(segments[^1]);

            using var response = await client.PostExportAsync(without.ToJsonString());
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), $"without {path}: {await response.Content.ReadAsStringAsync()}");
        }

        static IEnumerable<string> Paths(JsonObject node, string prefix) =>
            node.SelectMany(p => p.Value is JsonObject child ? [prefix + p.Key, .. Paths(child, $"{prefix}{p.Key}.")] : new[] { prefix + p.Key });
    }

    [Test]
    public void Enumerations_match_the_code()
    {
        var schemas = Document.Root["components"]!["schemas"]!;
        var variants = schemas["Destination"]!["oneOf"]!.AsArray().Select(v => Document.Resolve(v!)["properties"]!["type"]!["pattern"]!.GetValue<string>()).ToList();
        var wireNames = AppDestinationKinds.Instance.WireNames;
        Assert.Multiple(() =>
        {
            Assert.That(Strings(schemas["JobStatus"]!["enum"]!), Is.EqualTo(JobStatus.All));
            Assert.That(Strings(schemas["JobView"]!["properties"]!["destination"]!["properties"]!["type"]!["enum"]!), Is.EquivalentTo(wireNames));
            foreach (var name in wireNames.SelectMany(n => new[] { n, n.ToUpperInvariant() }))
            {
                Assert.That(variants.Count(pattern => Regex.IsMatch(name, pattern, RegexOptions.None, TimeSpan.FromSeconds(1))), Is.EqualTo(1),
                    $"destination type {name} is accepted by exactly one variant, as the registry accepts it: {AppDestinationKinds.Instance.TryFind(name, out _)}");
            }

            Assert.That(variants.Where(pattern => Regex.IsMatch("ftps", pattern, RegexOptions.None, TimeSpan.FromSeconds(1))), Is.Empty);
        });

        static List<string> Strings(JsonNode array) => array.AsArray().Select(n => n!.GetValue<string>()).ToList();
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> ExportExamples() =>
        Document.Operation("POST", ExportPath).Node["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();

    // One way to make the app give each documented answer, keyed "METHOD path status".
    private static readonly Dictionary<string, Func<InProcessFunctionsHost, Task<HttpResponseMessage>>> Scenarios = new()
    {
        [$"POST {ExportPath} 202"] = app => app.Client.PostExportAsync(HttpJson.Example("ui-download.json")),
        [$"POST {ExportPath} 400"] = app => app.Client.PostExportAsync(Without(HttpJson.Example("ui-download.json"), "name")),
        [$"POST {ExportPath} 409"] = async app =>
        {
            var key = "contract-" + Guid.NewGuid();
            using var first = await app.Client.PostExportAsync(HttpJson.Example("ui-download.json"), key);
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            return await app.Client.PostExportAsync(HttpJson.Example("s3.json"), key);
        },
        [$"POST {ExportPath} 413"] = app =>
        {
            var limit = app.Services.GetRequiredService<IOptions<IntakeOptions>>().Value.MaxBodyBytes;
            var example = HttpJson.Example("ui-download.json");
            return app.Client.PostExportAsync(example + new string(' ', limit + 1 - example.Length));
        },
        [$"POST {ExportPath} 415"] = app =>
            app.Client.PostAsync(ExportPath.TrimStart('/'), HttpJson.Body(HttpJson.Example("ui-download.json"), "text/plain")),
        // An app of its own that allows one active job per account: the second request of the account is refused.
        [$"POST {ExportPath} 429"] = async _ =>
        {
            var settings = await TestApp.SettingsAsync();
            settings["Jobs:MaxActivePerAccount"] = "1";
            settings["Jobs:MaxRunningPerAccount"] = "1";
            var (host, _) = await TestApp.StartInProcessAsync(settings);
            await using (host)
            {
                using var first = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
                Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await first.Content.ReadAsStringAsync());
                return await host.Client.PostExportAsync(HttpJson.Example("s3.json"));
            }
        },
        // Honest 500: the app's job table refuses connections; the SDK retries, then the function throws.
        [$"POST {ExportPath} 500"] = _ => WithUnreachableAsync(["Table"], c => c.PostExportAsync(HttpJson.Example("ui-download.json"))),
        [$"POST {ExportPath} 503"] = _ => WithUnreachableAsync(["Queue"], c => c.PostExportAsync(HttpJson.Example("ui-download.json"))),

        [$"POST {DestinationTestPath} 200"] = app =>
            app.Client.PostAsync(DestinationTestPath.TrimStart('/'), HttpJson.Body("""{"destination": {"type": "aws"}}""")),
        [$"POST {DestinationTestPath} 400"] = app =>
            app.Client.PostAsync(DestinationTestPath.TrimStart('/'), HttpJson.Body("""{"destination": {"type": "azureblob"}}""")),
        // The second account (so no scenario of the default client shares its limit) past DestinationTest:PerAccount (10 by default).
        [$"POST {DestinationTestPath} 429"] = async app =>
        {
            for (var i = 0; ; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, DestinationTestPath.TrimStart('/'))
                {
                    Content = HttpJson.Body("""{"destination": {"type": "aws"}}"""),
                };
                var response = await app.OtherClient.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TooManyRequests || i == 20)
                {
                    return response;
                }

                response.Dispose();
            }
        },

        [$"GET {JobPath} 200"] = async app =>
        {
            using var created = await app.Client.PostExportAsync(HttpJson.Example("sftp.json"));
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            return await app.Client.GetAsync(created.Headers.Location!.ToString().TrimStart('/'));
        },
        [$"GET {JobPath} 404"] = app => app.Client.GetAsync($"v2/jobs/{JobIds.New(DateTimeOffset.UtcNow)}"),
        [$"GET {JobPath} 500"] = _ => WithUnreachableAsync(["Table"], c => c.GetAsync($"v2/jobs/{JobIds.New(DateTimeOffset.UtcNow)}")),

        [$"POST {CancelPath} 200"] = async app => await CancelAsync(app, await CreateAsync(app)),
        [$"POST {CancelPath} 202"] = async app =>
        {
            var job = await CreateAsync(app);
            job.Claim(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            return await CancelAsync(app, job);
        },
        [$"POST {CancelPath} 404"] = app => app.Client.PostAsync($"v2/jobs/{JobIds.New(DateTimeOffset.UtcNow)}/cancel", null),
        [$"POST {CancelPath} 409"] = async app =>
        {
            var job = await CreateAsync(app);
            job.Fail(ErrorCodes.InvalidJob, "Broken.", DateTimeOffset.UtcNow);
            return await CancelAsync(app, job);
        },
        [$"POST {CancelPath} 500"] = _ => WithUnreachableAsync(["Table"], c => c.PostAsync($"v2/jobs/{JobIds.New(DateTimeOffset.UtcNow)}/cancel", null)),

        // Two jobs of its own and a page of one: the answer has a next page, so X-Continuation-Token and Link.
        [$"GET {JobsPath} 200"] = async app =>
        {
            foreach (var example in new[] { "ui-download.json", "gcs.json" })
            {
                using var created = await app.Client.PostExportAsync(HttpJson.Example(example));
                Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            }

            return await app.Client.GetAsync("v2/jobs?jobName=audiencetrendsexport&status=pending&limit=1");
        },
        [$"GET {JobsPath} 400"] = app => app.Client.GetAsync("v2/jobs?limit=0&status=finished"),

        // The trend preview and the Jobs page's files.
        [$"GET {TrendsPath} 200"] = app => app.Client.GetAsync("v2/audiencetrends?audiences=audience1&audiences=audience2&start=2021-07-16&end=2021-07-20"),
        [$"GET {TrendsPath} 400"] = app => app.Client.GetAsync("v2/audiencetrends?audiences=audience1&start=2021-07-20"),
        [$"GET {UiPath} 200"] = app => app.AnonymousClient.GetAsync("ui/jobs"),
        [$"GET {UiPath} 304"] = async app =>
        {
            using var first = await app.AnonymousClient.GetAsync("ui/app.js");
            using var again = new HttpRequestMessage(HttpMethod.Get, "ui/app.js");
            again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
            return await app.AnonymousClient.SendAsync(again);
        },
        [$"GET {UiPath} 404"] = app => app.AnonymousClient.GetAsync("ui/no-such-file.js"),
        [$"GET {JobsPath} 500"] = _ => WithUnreachableAsync(["Table"], c => c.GetAsync("v2/jobs")),

        // Saved SFTP keys. The test app's settings hold the example's key name (myKeyName), read-only.
        [$"POST {SftpKeysPath} 201"] = app => CreateSftpKeyAsync(app),
        [$"POST {SftpKeysPath} 400"] = app => app.Client.PostAsync("v2/sftpkeys", HttpJson.Body("{\"name\": \"no spaces\", \"hosts\": []}")),
        [$"POST {SftpKeysPath} 409"] = app => app.Client.PostAsync("v2/sftpkeys", HttpJson.Body(HttpJson.Example("sftpkeys/create.json"))),
        [$"POST {SftpKeysPath} 415"] = app => app.Client.PostAsync("v2/sftpkeys", HttpJson.Body(HttpJson.Example("sftpkeys/create.json"), "text/plain")),
        [$"GET {SftpKeysPath} 200"] = app => app.Client.GetAsync("v2/sftpkeys"),
        [$"GET {SftpKeyPath} 200"] = app => app.Client.GetAsync($"v2/sftpkeys/{ExampleSavedKey.Name}"),
        [$"GET {SftpKeyPath} 404"] = app => app.Client.GetAsync("v2/sftpkeys/no-such-key"),
        [$"GET {SftpKeyPath} 400"] = app => app.Client.GetAsync("v2/sftpkeys/no_such%23key"),
        [$"DELETE {SftpKeyPath} 204"] = async app =>
        {
            using var created = await CreateSftpKeyAsync(app);
            return await app.Client.DeleteAsync(created.Headers.Location!.ToString().TrimStart('/'));
        },
        [$"DELETE {SftpKeyPath} 404"] = app => app.Client.DeleteAsync("v2/sftpkeys/no-such-key"),
        [$"DELETE {SftpKeyPath} 400"] = app => app.Client.DeleteAsync("v2/sftpkeys/no_such%23key"),
        [$"DELETE {SftpKeyPath} 409"] = app => app.Client.DeleteAsync($"v2/sftpkeys/{ExampleSavedKey.Name}"),
    };

    /// <summary>The operation's request, path parameters filled in, sent without any credentials.</summary>
    private static async Task<HttpResponseMessage> WithoutKeyAsync(InProcessFunctionsHost app, string method, string path)
    {
        var url = path.Replace("{id}", JobIds.New(DateTimeOffset.UtcNow), StringComparison.Ordinal)
            .Replace("{name}", ExampleSavedKey.Name, StringComparison.Ordinal).TrimStart('/');
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = HttpJson.Body(HttpJson.Example("ui-download.json"));
        }

        return await app.AnonymousClient.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> CreateSftpKeyAsync(InProcessFunctionsHost app)
    {
        var body = JsonNode.Parse(HttpJson.Example("sftpkeys/create.json"))!.AsObject();
        body["name"] = "contract-" + Guid.NewGuid().ToString("N")[..12];
        var created = await app.Client.PostAsync("v2/sftpkeys", HttpJson.Body(body.ToJsonString()));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return created;
    }

    /// <summary>A new Pending job, read back from the app's job table.</summary>
    private static async Task<ExportJob> CreateAsync(InProcessFunctionsHost app)
    {
        using var created = await app.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var id = (await created.JsonAsync())["jobId"]!.GetValue<string>();
        return (await app.Services.GetRequiredService<JobStore>().GetAsync(TestAccounts.DemoId, id, CancellationToken.None))!;
    }

    /// <summary>Saves the job as the test moved it, then asks the app to cancel it.</summary>
    private static async Task<HttpResponseMessage> CancelAsync(InProcessFunctionsHost app, ExportJob job)
    {
        Assert.That(await app.Services.GetRequiredService<JobStore>().TryUpdateAsync(job, CancellationToken.None), Is.True);
        return await app.Client.PostAsync($"v2/jobs/{job.Id}/cancel", null);
    }

    /// <summary>Runs the request against an app whose named storage services point at a port nothing listens on.</summary>
    internal static async Task<HttpResponseMessage> WithUnreachableAsync(string[] services, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var settings = await TestApp.SettingsAsync();
        var reachable = new Dictionary<string, string?>(settings);
        var closedPort = ServerProcess.FreeTcpPort();
        foreach (var service in services)
        {
            settings["AzureWebJobsStorage"] = Regex.Replace(settings["AzureWebJobsStorage"]!,
                $@"{service}Endpoint=http://127\.0\.0\.1:\d+", $"{service}Endpoint=http://127.0.0.1:{closedPort}");
        }

        // The key was created while storage was up; the request finds its tables down (authentication included).
        var (host, _) = await TestApp.StartInProcessAsync(settings, accountsSettings: reachable);
        await using (host)
        {
            return await send(host.Client);
        }
    }

    private static string Without(string json, string property)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body.Remove(property);
        return body.ToJsonString();
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    private static string HostRoutePrefix()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")))!;
        return hostJson["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
    }

    /// <summary>The URL path of a route template, with constraints and optional markers dropped: <c>{id:guid?}</c> is <c>{id}</c>.</summary>
    private static string RoutePath(string prefix, string route) =>
        "/" + string.Join('/', new[] { prefix, Regex.Replace(route, @"\{(\*{0,2})([^}:?=]+)[^}]*\}", "{$2}") }.Where(p => p.Length > 0));
}
