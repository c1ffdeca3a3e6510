// AudienceTrends on Azure: `azd up` creates the resource group and everything in it, then deploys the function app.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group name; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deploying principal (azd sets AZURE_PRINCIPAL_ID); it becomes the Azure SQL Entra admin.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
@description('Kind of the deploying principal (azd sets AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

@secure()
@minLength(44)
@maxLength(44)
@description('SecretProtection__Key: base64 of 32 random bytes. Generated once by the preprovision hook; never change it (existing jobs could no longer be decrypted).')
param secretProtectionKey string

@description('Create an Azure SQL database (Entra-only auth, used by the app identity). Ignored when databaseConnectionString is set.')
param createSqlDatabase bool = true

@secure()
@description('Connection string of an existing SQL Server database; stored in Key Vault. Empty to use the created Azure SQL database.')
param databaseConnectionString string = ''

@description('SKU of the created Azure SQL database.')
param sqlDatabaseSkuName string = 'Basic'

@description('Add the SQL firewall rule AllowAllWindowsAzureIps, which admits any Azure-hosted client of any tenant. Off: reach SQL through VNet integration and a private endpoint instead (see infra/README.md).')
param sqlAllowAzureServices bool = false

@description('Purge protection on both Key Vaults: a deleted vault or secret cannot be purged before its retention ends (and the vault names stay taken that long). It cannot be turned off again once on.')
param keyVaultPurgeProtection bool = true

@allowed(['Enabled', 'Disabled'])
@description('Public network access of both Key Vaults. Disabled needs private endpoints for them and VNet integration of the function app (see infra/README.md).')
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Comma-separated saved SFTP key names; each <name> is read from Key Vault secret "sftp-key-<name>".')
param sftpSavedKeyNames string = ''

@description('Servers each saved SFTP key may log in to: "<name>=<host> <host>;<name>=<host>". A key without hosts is refused for every server.')
param sftpSavedKeyHosts string = ''

@description('Accounts each saved SFTP key may be used by: "<name>=<account> <account>;<name>=<account>". A key without accounts is usable by none.')
param sftpSavedKeyAccounts string = ''

@secure()
@description('Google Cloud service account JSON for GCS destinations (Gcs__CredentialsJson); empty when not used.')
param gcsCredentialsJson string = ''

@description('The account that owns the jobs and API-created SFTP keys stored before accounts existed (Accounts__LegacyAccount); create it with POST /v2/accounts.')
param legacyAccount string = 'demo'

@minValue(40)
@maxValue(1000)
@description('Most instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory of each instance.')
param instanceMemoryMB int = 2048

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var exportsContainerName = 'exports'
var exportsRetentionDays = 30
var jobsTableName = 'exportjobs'
var deploymentContainerName = 'app-package'
var sftpKeysTableName = 'sftpkeys'
var accountsTableName = 'accounts'
var apiKeysTableName = 'apikeys'
// Everything the app identity reaches in the storage account, each granted on its own (see modules/role-assignments.bicep).
// azure-webjobs-*: the Functions host's locks, timer schedules and keys.
var dataContainerNames = [exportsContainerName, 'export-requests', 'azure-webjobs-hosts', 'azure-webjobs-secrets']
var queueNames = ['export-jobs', 'export-jobs-poison', 'webhook-events', 'webhook-events-poison']
// schedules, scheduleslots, scheduledue: the app's defaults of Schedules__TableName, __SlotsTableName, __DueTableName.
var tableNames = [jobsTableName, 'exportidempotency', sftpKeysTableName, accountsTableName, apiKeysTableName, 'schedules', 'scheduleslots', 'scheduledue']
var useExistingDatabase = !empty(databaseConnectionString)
var createSql = createSqlDatabase && !useExistingDatabase
var savedKeyNames = filter(map(split(sftpSavedKeyNames, ','), keyName => trim(keyName)), keyName => !empty(keyName))
var savedKeyHosts = filter(map(split(sftpSavedKeyHosts, ';'), entry => trim(entry)), entry => contains(entry, '='))
var savedKeyAccounts = filter(map(split(sftpSavedKeyAccounts, ';'), entry => trim(entry)), entry => contains(entry, '='))

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-api-${token}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-${token}'
    applicationInsightsName: 'appi-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    dataContainerNames: dataContainerNames
    exportsContainerName: exportsContainerName
    exportsRetentionDays: exportsRetentionDays
    queueNames: queueNames
    tableNames: tableNames
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${token}'
    location: location
    tags: tags
    secretProtectionKey: secretProtectionKey
    databaseConnectionString: databaseConnectionString
    gcsCredentialsJson: gcsCredentialsJson
    purgeProtection: keyVaultPurgeProtection
    publicNetworkAccess: keyVaultPublicNetworkAccess
  }
}

module sftpKeysVault 'modules/sftp-keys-vault.bicep' = {
  scope: rg
  params: {
    name: 'kvk-${token}'
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
    publicNetworkAccess: keyVaultPublicNetworkAccess
  }
}

// Stops the deployment early, with a clear message, only when SQL is to be created without an Entra admin.
var sqlAdministratorId = !createSql || !empty(principalId)
  ? principalId
  : fail('Azure SQL needs an Entra admin: set AZURE_PRINCIPAL_ID (azd sets it from the signed-in account).')

module sql 'modules/sql.bicep' = if (createSql) {
  scope: rg
  params: {
    serverName: 'sql-${token}'
    databaseName: 'audiencetrends'
    location: location
    tags: tags
    administratorObjectId: sqlAdministratorId
    administratorLogin: 'azd-deployer-${take(principalId, 8)}'
    administratorType: principalType == 'ServicePrincipal' ? 'Application' : 'User'
    skuName: sqlDatabaseSkuName
    allowAzureServices: sqlAllowAzureServices
  }
}

// The app signs in to SQL as its user-assigned identity (User Id = the identity's client id).
var managedIdentityConnectionString = createSql
  ? 'Server=tcp:${sql!.outputs.serverFqdn},1433;Database=${sql!.outputs.databaseName};Authentication=Active Directory Managed Identity;User Id=${identity.outputs.clientId};Encrypt=True;TrustServerCertificate=False;Connect Timeout=30;'
  : ''

var databaseConnectionSetting = useExistingDatabase
  ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.databaseConnectionStringUri})'
  : createSql
      ? managedIdentityConnectionString
      : fail('No database: set DATABASE_CONNECTION_STRING or leave CREATE_SQL_DATABASE=true.')

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  params: {
    name: 'func-api-${token}'
    planName: 'plan-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    exportsContainerName: exportsContainerName
    exportsRetentionDays: exportsRetentionDays
    jobsTableName: jobsTableName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    encryptionKeySecretUri: keyVault.outputs.secretProtectionKeyUri
    databaseConnectionString: databaseConnectionSetting
    sftpSavedKeyNames: savedKeyNames
    sftpSavedKeyHosts: savedKeyHosts
    sftpSavedKeyAccounts: savedKeyAccounts
    gcsCredentialsUri: empty(gcsCredentialsJson) ? '' : keyVault.outputs.gcsCredentialsUri
    sftpKeysVaultUri: sftpKeysVault.outputs.uri
    sftpKeysTableName: sftpKeysTableName
    accountsTableName: accountsTableName
    apiKeysTableName: apiKeysTableName
    legacyAccount: legacyAccount
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The app must not start resolving Key Vault references or reading storage before its roles exist.
  dependsOn: [roles]
}

module roles 'modules/role-assignments.bicep' = {
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    dataContainerNames: dataContainerNames
    queueNames: queueNames
    tableNames: tableNames
    keyVaultName: keyVault.outputs.name
    sftpKeysVaultName: sftpKeysVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_SFTP_KEYS_VAULT_NAME string = sftpKeysVault.outputs.name
output AZURE_APP_IDENTITY_NAME string = identity.outputs.name
output AZURE_APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_SQL_SERVER_NAME string = createSql ? sql!.outputs.serverName : ''
output AZURE_SQL_DATABASE_NAME string = createSql ? sql!.outputs.databaseName : ''
