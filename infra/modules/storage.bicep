// The one storage account: Functions host state, the deployment package, the job table, the export queue and the
// blob containers. Only Entra ID (RBAC) access: no shared keys, no anonymous blobs.

param name string
param location string
param tags object

@description('Container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Containers the app and the Functions host use (the app identity gets data access to each, see role-assignments.bicep).')
param dataContainerNames array

@description('Container of the managed download files (ManagedStorage__Container); one of dataContainerNames.')
param exportsContainerName string

@description('Days after which the lifecycle policy deletes managed download files.')
param exportsRetentionDays int

@description('Queues of the app and their poison queues.')
param queueNames array

@description('Tables of the app: jobs, idempotency, SFTP key names.')
param tableNames array

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Flex Consumption without a virtual network reaches the account over its public endpoint (RBAC still applies).
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

// exports: managed download files; export-requests: audience lists too long for a job row; the Functions host's
// containers; the deployment package container. All exist before the app starts: its roles are granted on each one,
// not on the account.
resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in concat(dataContainerNames, [deploymentContainerName]): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

// Created here, not on first use: the app's roles are granted on each queue, not on the account.
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Download files expire by themselves even if the app's retention timer never runs.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'deleteExportsAfterRetention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob', 'appendBlob']
              prefixMatch: ['${exportsContainerName}/']
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: exportsRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [containers]
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
