// The user-assigned identity the function app runs as: storage, Key Vault, telemetry and SQL all trust this one
// principal, and it survives the app being deleted and recreated.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
