// What the app identity may do, each role on the one resource that needs it (least privilege).

@description('Principal (object) id of the app identity.')
param principalId string

param storageAccountName string

@description('The Flex Consumption package container: read-only for the app identity.')
param deploymentContainerName string

@description('Containers the app identity reads and writes blobs in (its own and the Functions host\'s).')
param dataContainerNames array

@description('Queues the app identity sends to and the triggers read from.')
param queueNames array

@description('Tables the app identity reads and writes rows in.')
param tableNames array

param keyVaultName string

@description('The vault of the SFTP keys created through the API.')
param sftpKeysVaultName string
param applicationInsightsName string

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource dataContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for containerName in dataContainerNames: {
    parent: blobService
    name: containerName
  }
]

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: deploymentContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' existing = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' existing = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource sftpKeysVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: sftpKeysVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Storage: no role on the account holds data access. Each container, queue and table the app uses gets its own
// assignment, so the identity cannot touch the deployment package (read-only) or anything added to the account later.

// Blob Delegator on the account: only "generate user delegation key" (an account-level action), which the managed
// download links are signed with; it reads or writes no blob.
resource blobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, principalId, roles.storageBlobDelegator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Blob Data Contributor per container: export files, long audience lists, the Functions host's locks, timer schedules
// and keys (azure-webjobs-hosts/-secrets).
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in dataContainerNames: {
    scope: dataContainers[i]
    name: guid(dataContainers[i].id, principalId, roles.storageBlobDataContributor)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Blob Data Reader on the package container: Flex Consumption reads the app package with this identity.
resource packageReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deploymentContainer
  name: guid(deploymentContainer.id, principalId, roles.storageBlobDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Queue Data Contributor per queue: the triggers read/delete messages, the app enqueues, the host writes poison queues.
resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in queueNames: {
    scope: queues[i]
    name: guid(queues[i].id, principalId, roles.storageQueueDataContributor)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Table Data Contributor per table: job, idempotency and SFTP key-name rows are read, written and purged by the app.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in tableNames: {
    scope: tables[i]
    name: guid(tables[i].id, principalId, roles.storageTableDataContributor)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Key Vault Secrets User: read-only secret values, for the Key Vault references and saved SFTP keys.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets Officer, on the SFTP keys' vault only: the narrowest built-in role that creates, reads, lists and
// deletes (and purges) secrets, for POST/GET/DELETE /v2/sftpkeys. The main vault stays read-only for the app.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: sftpKeysVault
  name: guid(sftpKeysVault.id, principalId, roles.keyVaultSecretsOfficer)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher: send telemetry with Entra auth (the component has local auth disabled).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, principalId, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
