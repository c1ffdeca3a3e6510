// Key Vault (RBAC authorization) for everything secret the app reads: the app gets the values through Key Vault
// references, so no secret is ever stored in app settings or in the storage account.

param name string
param location string
param tags object

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
    // Short retention and no purge protection so `azd down --purge` can really remove a test environment.
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
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
