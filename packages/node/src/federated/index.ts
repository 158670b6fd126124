export { runCoordinator, type CoordinatorOptions, type RoundInfo } from './coordinator.js';
export { runFederatedClient, type FederatedClientOptions } from './client.js';
export { checkClientId } from './federation-keys.js';
