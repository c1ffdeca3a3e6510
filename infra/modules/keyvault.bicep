// Key Vault (RBAC authorization) for everything secret the app reads: the app gets the values through Key Vault
// references, so no secret is ever stored in app settings or in the storage account.

param name string
param location string
param tags object

@description('Purge protection; on by default. Once on it cannot be turned off.')
param purgeProtection bool = true

@allowed(['Enabled', 'Disabled'])
@description('Disabled: reachable only through a private endpoint (the function app then needs VNet integration).')
param publicNetworkAccess string = 'Enabled'

@secure()
@description('Base64 of 32 random bytes: the AES-256-GCM key protecting destination secrets in job rows.')
param secretProtectionKey string

@secure()
@description('Connection string of an existing database; empty when the template creates Azure SQL.')
param databaseConnectionString string = ''

@secure()
@description('Google Cloud service account JSON for GCS destinations; empty when not used.')
param gcsCredentialsJson string = ''

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // Purge protection (on by default) keeps a deleted secret recoverable for the whole retention: nobody, not even
    // the app identity, can destroy it early. It can only be set to true; null leaves it off.
    enablePurgeProtection: purgeProtection ? true : null
    softDeleteRetentionInDays: 7
    publicNetworkAccess: publicNetworkAccess
  }
}

resource secretProtectionKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'secret-protection-key'
  properties: {
    value: secretProtectionKey
    contentType: 'base64 AES-256 key'
  }
}

resource databaseConnectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(databaseConnectionString)) {
  parent: vault
  name: 'database-connection-string'
  properties: {
    value: databaseConnectionString
  }
}

resource gcsCredentialsSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(gcsCredentialsJson)) {
  parent: vault
  name: 'gcs-credentials-json'
  properties: {
    value: gcsCredentialsJson
    contentType: 'application/json'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless URIs: a new secret version is picked up by the app without redeploying.
output secretProtectionKeyUri string = secretProtectionKeySecret.properties.secretUri
// These two exist only when their parameter was given; the caller knows whether it gave it.
output databaseConnectionStringUri string = '${vault.properties.vaultUri}secrets/database-connection-string'
output gcsCredentialsUri string = '${vault.properties.vaultUri}secrets/gcs-credentials-json'
