export { federatedAverage, proximalStep, type ClientUpdate, type FederatedAverageOptions, type FederatedAverageResult } from './fedavg.js';
export { decodeRoundFile, encodeRoundFile, type RoundFile } from './round-file.js';
