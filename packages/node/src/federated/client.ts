import { decodeRoundFile, encodeRoundFile, fit, proximalStep, type ImageDataset, type Trainer } from '@onnxkit/core';
import { Queue } from 'bullmq';
import { connectRedis } from '../queue/redis-connection.js';
import { checkClientId, federationKeys, type UpdateJob } from './federation-keys.js';

/** Options of {@link runFederatedClient}. */
export interface FederatedClientOptions {
  /** `redis://host:port`. */
  url: string;
  /** The federation's name. */
  name: string;
  /** This client's id (letters, digits, _ . -), unique in the federation. */
  client: string;
  /** The client's trainer: build it with a stateless optimizer (`optimizer: 'sgd'`), so that loading the round's parameters is all there is to reset. */
  trainer: Trainer;
  /** The client's own data; it never leaves the process. */
  data: ImageDataset;
  /** Local epochs per round. @defaultValue 1 */
  epochs?: number;
  /** @defaultValue 32 */
  batchSize?: number;
  /** Local learning rate. @defaultValue 0.05 */
  learningRate?: number;
  /** FedProx's μ: pulls local training towards the round's global model. @defaultValue 0 (FedAvg) */
  proximalMu?: number;
  /** Stop after this round even if the coordinator goes on (e.g. a client that leaves). @defaultValue no limit */
  lastRound?: number;
  /** Called after each local round. */
  onRound?: (info: { round: number; loss: number; seconds: number }) => void | Promise<void>;
  /** How often the current round is checked. @defaultValue 100 ms */
  pollMs?: number;
}

/**
 * A federated client: waits for each round the coordinator publishes, loads the global model into its
 * trainer, trains on its own data, stores its parameters (a round file) in Redis and announces them on
 * the federation's queue (job id = round + client, so a repeated announcement is one job). Returns when
 * the coordinator says the federation is done (or after `lastRound`). A restarted client trains the
 * current round again, which replaces its update for that round.
 */
export async function runFederatedClient(options: FederatedClientOptions): Promise<number> {
  const keys = federationKeys(options.name);
  const client = checkClientId(options.client);
  const learningRate = options.learningRate ?? 0.05;
  const mu = options.proximalMu ?? 0;
  const redis = connectRedis(options.url, 'runFederatedClient url');
  const queueConnection = connectRedis(options.url, 'runFederatedClient url');
  const queue = new Queue<UpdateJob>(keys.queue, { connection: queueConnection });
  // Connection errors while Redis restarts are retried by the connection; unheard, BullMQ would print each.
  queue.on('error', () => {});
  let done = 0;
  try {
    for (;;) {
      const current = await redis.get(keys.current);
      const state = current ? (JSON.parse(current) as { round: number; done: boolean }) : undefined;
      if (state?.done) return done;
      if (!state || state.round <= done) {
        await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
        continue;
      }
      const round = state.round;
      const bytes = await redis.getBuffer(keys.global(round));
      if (!bytes) continue; // the round closed meanwhile; read the next one
      const started = performance.now();
      const global = decodeRoundFile(new Uint8Array(bytes), `global model of round ${round}`).params;
      await options.trainer.loadParameters(global);
      const result = await fit(options.trainer, options.data, {
        epochs: options.epochs ?? 1,
        batchSize: options.batchSize ?? 32,
        learningRate,
        augment: false,
        seed: round,
        ...(mu > 0
          ? {
              onBatchEnd: async () => {
                const p = await options.trainer.getContiguousParameters();
                await options.trainer.loadParameters(proximalStep(p, global, learningRate, mu));
              },
            }
          : {}),
      });
      const params = await options.trainer.getContiguousParameters();
      await redis.set(keys.update(round, client), Buffer.from(encodeRoundFile({ round, params, examples: options.data.count, client })));
      await queue.add('update', { round, client, examples: options.data.count }, { jobId: `${round}-${client}`, removeOnComplete: true, attempts: 5 });
      done = round;
      const loss = result.history.at(-1)?.loss ?? Number.NaN;
      await options.onRound?.({ round, loss, seconds: (performance.now() - started) / 1000 });
      if (options.lastRound !== undefined && round >= options.lastRound) return done;
    }
  } finally {
    await queue.close();
    queueConnection.disconnect();
    redis.disconnect();
  }
}
