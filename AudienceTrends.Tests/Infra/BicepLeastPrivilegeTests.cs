using System.Text.Json;

namespace AudienceTrends.Tests.Infra;

/// <summary>
/// Least privilege in the compiled template (main.bicep built to ARM JSON): the app identity's storage roles sit on the
/// containers, queues and tables it uses (the package container read-only), both vaults keep deleted secrets for their
/// retention (purge protection), and the SQL firewall admits Azure-hosted clients only when asked to.
/// </summary>
public partial class BicepTests
{
    [Test]
    public async Task The_app_identity_has_data_roles_only_on_the_containers_queues_and_tables_it_uses()
    {
        var main = await BuildMainTemplateAsync();
        var roles = Module(main, "roles");
        var roleIds = roles.GetProperty("variables").GetProperty("roles");
        var assignments = Resources(roles)
            .Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments")
            .Select(r => (Scope: r.GetProperty("scope").GetString()!, Role: RoleName(r)))
            .ToList();

        Assert.That(roleIds.TryGetProperty("storageBlobDataOwner", out _), Is.False, "no Blob Data Owner anywhere");
        Assert.That(roleIds.GetProperty("storageBlobDelegator").GetString(), Is.EqualTo("db58b8e5-c6ad-4a2a-8342-4190687cbf4a"));
        Assert.That(roleIds.GetProperty("storageBlobDataContributor").GetString(), Is.EqualTo("ba92f5b4-2d11-453d-a403-e96b0029c9fe"));
        Assert.That(roleIds.GetProperty("storageBlobDataReader").GetString(), Is.EqualTo("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"));
        Assert.That(
            assignments.Where(a => a.Scope == "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]").Select(a => a.Role),
            Is.EqualTo(new[] { "storageBlobDelegator" }),
            "on the whole account only the delegation key, which reads no data");
        Assert.That(ScopesOf(assignments, "storageBlobDataContributor"), Is.EqualTo(new[]
        {
            "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('storageAccountName'), 'default', parameters('dataContainerNames')[copyIndex()])]",
        }));
        Assert.That(ScopesOf(assignments, "storageBlobDataReader"), Is.EqualTo(new[]
        {
            "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('storageAccountName'), 'default', parameters('deploymentContainerName'))]",
        }));
        Assert.That(ScopesOf(assignments, "storageQueueDataContributor"), Is.EqualTo(new[]
        {
            "[resourceId('Microsoft.Storage/storageAccounts/queueServices/queues', parameters('storageAccountName'), 'default', parameters('queueNames')[copyIndex()])]",
        }));
        Assert.That(ScopesOf(assignments, "storageTableDataContributor"), Is.EqualTo(new[]
        {
            "[resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', parameters('storageAccountName'), 'default', parameters('tableNames')[copyIndex()])]",
        }));

        var variables = main.GetProperty("variables");
        Assert.That(Strings(variables.GetProperty("dataContainerNames")), Is.EqualTo(new[]
        {
            "[variables('exportsContainerName')]", "export-requests", "azure-webjobs-hosts", "azure-webjobs-secrets",
        }), "the package container is not among the writable ones");
        Assert.That(Strings(variables.GetProperty("queueNames")), Is.EquivalentTo(new[]
        {
            "export-jobs", "export-jobs-poison", "webhook-events", "webhook-events-poison",
        }));
        Assert.That(Strings(variables.GetProperty("tableNames")), Is.EquivalentTo(new[]
        {
            "[variables('jobsTableName')]", "exportidempotency", "[variables('sftpKeysTableName')]",
            "[variables('accountsTableName')]", "[variables('apiKeysTableName')]",
            "schedules", "scheduleslots", "scheduledue",
        }), "every table the app reads, the API keys' included: a customer request reads its key first; the scheduler's three");
        var moduleResources = main.GetProperty("resources");
        foreach (var list in new[] { "dataContainerNames", "queueNames", "tableNames" })
        {
            // The same lists create the resources and grant the roles, so nothing granted is missing and vice versa.
            Assert.That(Parameter(moduleResources.GetProperty("storage"), list), Is.EqualTo($"[variables('{list}')]"));
            Assert.That(Parameter(moduleResources.GetProperty("roles"), list), Is.EqualTo($"[variables('{list}')]"));
        }
    }

    [Test]
    public async Task Both_key_vaults_keep_deleted_secrets_with_purge_protection_by_default_and_public_access_is_a_parameter()
    {
        var main = await BuildMainTemplateAsync();
        var parameters = main.GetProperty("parameters");

        Assert.That(parameters.GetProperty("keyVaultPurgeProtection").GetProperty("defaultValue").GetBoolean(), Is.True);
        Assert.That(parameters.GetProperty("keyVaultPublicNetworkAccess").GetProperty("defaultValue").GetString(), Is.EqualTo("Enabled"));
        Assert.That(Strings(parameters.GetProperty("keyVaultPublicNetworkAccess").GetProperty("allowedValues")), Is.EqualTo(new[] { "Enabled", "Disabled" }));
        foreach (var module in new[] { "keyVault", "sftpKeysVault" })
        {
            var deployment = main.GetProperty("resources").GetProperty(module);
            var vault = Resources(deployment.GetProperty("properties").GetProperty("template"))
                .Single(r => r.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults").GetProperty("properties");

            Assert.That(vault.GetProperty("enableSoftDelete").GetBoolean(), Is.True, module);
            Assert.That(vault.GetProperty("enablePurgeProtection").GetString(), Is.EqualTo("[if(parameters('purgeProtection'), true(), null())]"), module);
            Assert.That(vault.GetProperty("publicNetworkAccess").GetString(), Is.EqualTo("[parameters('publicNetworkAccess')]"), module);
            Assert.That(Parameter(deployment, "purgeProtection"), Is.EqualTo("[parameters('keyVaultPurgeProtection')]"), module);
            Assert.That(Parameter(deployment, "publicNetworkAccess"), Is.EqualTo("[parameters('keyVaultPublicNetworkAccess')]"), module);
        }
    }

    [Test]
    public async Task The_sql_firewall_admits_every_azure_client_only_when_asked()
    {
        var main = await BuildMainTemplateAsync();
        var sql = main.GetProperty("resources").GetProperty("sql");
        var rule = Resources(sql.GetProperty("properties").GetProperty("template"))
            .Single(r => r.GetProperty("type").GetString() == "Microsoft.Sql/servers/firewallRules");
        var parametersFile = await File.ReadAllTextAsync(Path.Combine(InfraDirectory, "main.parameters.json"));

        Assert.That(main.GetProperty("parameters").GetProperty("sqlAllowAzureServices").GetProperty("defaultValue").GetBoolean(), Is.False);
        Assert.That(rule.GetProperty("condition").GetString(), Is.EqualTo("[parameters('allowAzureServices')]"));
        Assert.That(Parameter(sql, "allowAzureServices"), Is.EqualTo("[parameters('sqlAllowAzureServices')]"));
        Assert.That(parametersFile, Does.Contain("\"${SQL_ALLOW_AZURE_SERVICES=false}\""));
    }

    private static JsonElement Module(JsonElement main, string name) =>
        main.GetProperty("resources").GetProperty(name).GetProperty("properties").GetProperty("template");

    /// <summary>A template's resources, whether listed (languageVersion 1) or keyed by symbolic name (2.0).</summary>
    private static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(p => p.Value).ToList();
    }

    private static string Parameter(JsonElement deployment, string name) =>
        deployment.GetProperty("properties").GetProperty("parameters").GetProperty(name).GetProperty("value").ToString();

    /// <summary><c>roles.x</c> of <c>subscriptionResourceId(..., variables('roles').x)</c>.</summary>
    private static string RoleName(JsonElement assignment)
    {
        var id = assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
        const string marker = "variables('roles').";
        var start = id.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return id[start..id.IndexOf(')', start)];
    }

    private static List<string> ScopesOf(List<(string Scope, string Role)> assignments, string role) =>
        assignments.Where(a => a.Role == role).Select(a => a.Scope).ToList();

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
