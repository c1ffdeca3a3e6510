// Key Vault (RBAC authorization) of the SFTP keys created through the API (POST /v2/sftpkeys): one secret per key.
// A vault of its own, so the app's right to create and delete secrets here reaches none of the secrets it only reads
// (the encryption key, the database connection string) in the main vault.

param name string
param location string
param tags object

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
    // The app purges a key it deletes (Key Vault Secrets Officer may); no purge protection so that works and
    // `azd down --purge` can remove the vault.
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
