// Key Vault (RBAC authorization) of the SFTP keys created through the API (POST /v2/sftpkeys): one secret per key.
// A vault of its own, so the app's right to create and delete secrets here reaches none of the secrets it only reads
// (the encryption key, the database connection string) in the main vault.

param name string
param location string
param tags object

@description('Purge protection; on by default. Once on it cannot be turned off.')
param purgeProtection bool = true

@allowed(['Enabled', 'Disabled'])
@description('Disabled: reachable only through a private endpoint (the function app then needs VNet integration).')
param publicNetworkAccess string = 'Enabled'

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
    // the app identity, can destroy it early (a deleted SFTP key's name then stays taken for the retention). It can only be set to true; null leaves it off.
    enablePurgeProtection: purgeProtection ? true : null
    softDeleteRetentionInDays: 7
    publicNetworkAccess: publicNetworkAccess
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
