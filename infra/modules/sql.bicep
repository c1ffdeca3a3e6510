// Optional Azure SQL server + database with Microsoft Entra-only authentication. The deploying principal is the
// Entra admin (it creates the app identity's contained user after deployment); the app connects as its identity.

param serverName string
param databaseName string
param location string
param tags object

@description('Object id of the Entra administrator (the deploying principal).')
param administratorObjectId string

@description('Display name recorded for the Entra administrator.')
param administratorLogin string

@allowed(['User', 'Group', 'Application'])
param administratorType string

@description('Database SKU, e.g. Basic, S0, GP_S_Gen5_1.')
param skuName string

@description('Add AllowAllWindowsAzureIps (any Azure-hosted client of any tenant passes the firewall). Off by default.')
param allowAzureServices bool = false

resource server 'Microsoft.Sql/servers@2023-08-01' = {
  name: serverName
  location: location
  tags: tags
  properties: {
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: administratorLogin
      sid: administratorObjectId
      principalType: administratorType
      tenantId: tenant().tenantId
    }
  }
}

// 0.0.0.0 is the documented marker for "Azure services": it admits every Azure-hosted client of every tenant, so it
// is opt-in. Without it the app reaches SQL through VNet integration and a private endpoint (infra/README.md).
resource allowAzureServicesRule 'Microsoft.Sql/servers/firewallRules@2023-08-01' = if (allowAzureServices) {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01' = {
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: {
    name: skuName
  }
}

output serverName string = server.name
output serverFqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
