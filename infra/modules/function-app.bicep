// Flex Consumption plan + function app (Linux, dotnet-isolated 10.0) running as the user-assigned identity, with
// every app setting the app needs in Azure. Secrets are Key Vault references resolved with that identity.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param exportsContainerName string
param exportsRetentionDays int
param jobsTableName string
param applicationInsightsConnectionString string
param keyVaultUri string

@description('Versionless URI of the Key Vault secret holding SecretProtection__Key.')
param encryptionKeySecretUri string

@description('Database__ConnectionString value: a plain managed-identity connection string or a Key Vault reference.')
param databaseConnectionString string

@description('Names of saved SFTP keys; each is read from Key Vault secret "sftp-key-<name>".')
param sftpSavedKeyNames string[]

@description('Servers per saved SFTP key, each "<name>=<host> <host>" (Sftp__SavedKeyHosts__<name>).')
param sftpSavedKeyHosts string[]

@description('Accounts per saved SFTP key, each "<name>=<account> <account>" (Sftp__SavedKeyAccounts__<name>).')
param sftpSavedKeyAccounts string[]

@description('Versionless URI of the Key Vault secret holding Gcs__CredentialsJson; empty when not used.')
param gcsCredentialsUri string

@description('URI of the Key Vault holding the SFTP keys created through the API (SftpKeys__VaultUri).')
param sftpKeysVaultUri string

@description('Table in which the Key Vault store reserves key names (SftpKeys__TableName).')
param sftpKeysTableName string

@description('Accounts and their key lists (Accounts__AccountsTableName).')
param accountsTableName string

@description('API keys, one partition per key id (Accounts__KeysTableName).')
param apiKeysTableName string

@description('Who owns what was stored before accounts existed (Accounts__LegacyAccount).')
param legacyAccount string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

func keyVaultReference(secretUri string) string => '@Microsoft.KeyVault(SecretUri=${secretUri})'

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  // azd finds the app to deploy `api` to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex Consumption takes the runtime from here; FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION
      // must not be set as app settings.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No publishing passwords: azd deploys with an Entra token.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

var settings = {
  // Host storage and the app's own table/queue/containers, reached with the identity (no connection string).
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // DefaultAzureCredential in the app picks the user-assigned identity by this.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  SecretProtection__Key: keyVaultReference(encryptionKeySecretUri)
  Jobs__TableName: jobsTableName
  // The queue trigger reads its queue name from this setting (%Jobs:QueueName%); the poison queue adds -poison.
  Jobs__QueueName: 'export-jobs'
  // Likewise for the webhook events' trigger (%Webhooks:QueueName%).
  Webhooks__QueueName: 'webhook-events'
  ManagedStorage__Container: exportsContainerName
  ManagedStorage__RetentionDays: string(exportsRetentionDays)
  Database__Provider: 'SqlServer'
  Database__ConnectionString: databaseConnectionString
  Database__SeedDemoData: 'false'
  // Keys created through POST /v2/sftpkeys: a secret each in their own vault, reached with the identity.
  SftpKeys__Store: 'KeyVault'
  SftpKeys__VaultUri: sftpKeysVaultUri
  // The Key Vault store reserves each key name in this table first (the identity has a role on it alone).
  SftpKeys__TableName: sftpKeysTableName
  // Every customer request reads its API key (and the key's account) here: the identity has a role on each table.
  Accounts__AccountsTableName: accountsTableName
  Accounts__KeysTableName: apiKeysTableName
  Accounts__LegacyAccount: legacyAccount
}

var sftpKeySettings = toObject(
  sftpSavedKeyNames,
  keyName => 'Sftp__SavedKeys__${keyName}',
  keyName => keyVaultReference('${keyVaultUri}secrets/sftp-key-${keyName}')
)

var sftpKeyHostSettings = toObject(
  sftpSavedKeyHosts,
  entry => 'Sftp__SavedKeyHosts__${trim(split(entry, '=')[0])}',
  entry => trim(split(entry, '=')[1])
)

var sftpKeyAccountSettings = toObject(
  sftpSavedKeyAccounts,
  entry => 'Sftp__SavedKeyAccounts__${trim(split(entry, '=')[0])}',
  entry => trim(split(entry, '=')[1])
)

var gcsSettings = empty(gcsCredentialsUri) ? {} : { Gcs__CredentialsJson: keyVaultReference(gcsCredentialsUri) }

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'appsettings'
  properties: union(settings, sftpKeySettings, sftpKeyHostSettings, sftpKeyAccountSettings, gcsSettings)
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
