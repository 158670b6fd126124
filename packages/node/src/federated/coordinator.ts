import { decodeRoundFile, encodeRoundFile, federatedAverage, type ClientUpdate } from '@onnxkit/core';
import { Worker } from 'bullmq';
import { writeFileAtomic } from '../io/atomic-write.js';
import { FileAccessError } from '../io/file-access-error.js';
import { readUntrustedFile } from '../io/read-untrusted.js';
import { connectRedis } from '../queue/redis-connection.js';
import { checkClientId, federationKeys, type UpdateJob } from './federation-keys.js';

/** Options of {@link runCoordinator}. */
export interface CoordinatorOptions {
  /** `redis://host:port`. */
  url: string;
  /** The federation's name (its keys and queue). */
  name: string;
  /** The initial global parameters (used when `checkpoint` does not exist yet). */
  initial: Float32Array;
  /** Round file the global model is saved to after every round (atomically); a restart resumes from it. */
  checkpoint: string;
  /** Rounds to run in all. */
  rounds: number;
  /** Clients expected per round: the round closes as soon as this many updates are in. */
  clients: number;
  /** Fewest updates a round is aggregated from once the deadline has passed. @defaultValue 1 */
  minClients?: number;
  /** Straggler deadline: after this long, a round closes with the updates it has (at least `minClients`). @defaultValue 60,000 ms */
  deadlineMs?: number;
  /** See {@link federatedAverage}. @defaultValue 1 */
  serverLearningRate?: number;
  /** FedAvgM's β. @defaultValue 0 */
  serverMomentum?: number;
  /** Called after each round with the new global parameters (e.g. to evaluate them). */
  onRound?: (info: RoundInfo) => void | Promise<void>;
  /** How often the received updates are counted. @defaultValue 100 ms */
  pollMs?: number;
  /** Stops the coordinator where it is, as a crash would (nothing more is published); it rejects with the reason. */
  signal?: AbortSignal;
}

/** One finished round. */
export interface RoundInfo {
  round: number;
  params: Float32Array;
  /** Clients whose updates were averaged, and the ones that missed the deadline. */
  clients: string[];
  late: number;
  examples: number;
  seconds: number;
}

/**
 * Runs a federation's coordinator until `rounds` rounds are aggregated: for each round it publishes the
 * global model (a round file in Redis) and the round number, collects the clients' updates from the
 * queue (its own BullMQ worker records each in the round's hash: a redelivered announcement counts
 * once, a stale round's is ignored), closes the round when all `clients` are in or, after `deadlineMs`,
 * with at least `minClients`, averages them (FedAvg by example counts, optional server momentum),
 * and checkpoints the result with its round number. Restarted, it resumes from the checkpoint, keeping
 * the updates already received for the open round. Resolves with the final parameters.
 */
export async function runCoordinator(options: CoordinatorOptions): Promise<Float32Array> {
  const keys = federationKeys(options.name);
  const minClients = options.minClients ?? 1;
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new RangeError(`runCoordinator: 'rounds' must be a positive integer, got ${options.rounds}`);
  if (!Number.isInteger(options.clients) || options.clients < 1) throw new RangeError(`runCoordinator: 'clients' must be a positive integer, got ${options.clients}`);
  if (!Number.isInteger(minClients) || minClients < 1 || minClients > options.clients) throw new RangeError(`runCoordinator: 'minClients' must be 1..clients, got ${minClients}`);
  let state = await loadCheckpoint(options.checkpoint);
  if (!state) {
    state = { round: 0, params: options.initial };
    await writeFileAtomic(options.checkpoint, encodeRoundFile(state));
  }
  if (state.params.length !== options.initial.length) throw new RangeError(`${options.checkpoint}: ${state.params.length} parameters, the model has ${options.initial.length}`);
  const redis = connectRedis(options.url, 'runCoordinator url');
  let open = state.round + 1;
  const blocking = connectRedis(options.url, 'runCoordinator url');
  const worker = new Worker<UpdateJob>(
    keys.queue,
    async (job) => {
      const { round, client, examples } = job.data;
      checkClientId(client);
      if (!Number.isInteger(examples) || examples < 1) throw new TypeError(`update of ${client}: 'examples' must be a positive integer`);
      // Late or replayed announcements of a closed round change nothing.
      if (round === open) await redis.hset(keys.received(round), client, JSON.stringify({ examples }));
    },
    { connection: blocking, concurrency: 8 },
  );
  try {
    while (state.round < options.rounds) {
      open = state.round + 1;
      const started = performance.now();
      await redis.set(keys.global(open), Buffer.from(encodeRoundFile({ round: state.round, params: state.params, ...(state.momentum ? { momentum: state.momentum } : {}) })));
      await redis.set(keys.current, JSON.stringify({ round: open, done: false }));
      const deadline = Date.now() + (options.deadlineMs ?? 60_000);
      let received: Record<string, string>;
      for (;;) {
        received = await redis.hgetall(keys.received(open));
        const n = Object.keys(received).length;
        if (n >= options.clients || (Date.now() >= deadline && n >= minClients)) break;
        options.signal?.throwIfAborted();
        await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
      }
      const clients = Object.keys(received).sort();
      const updates: ClientUpdate[] = [];
      for (const client of clients) {
        const bytes = await redis.getBuffer(keys.update(open, client));
        if (!bytes) continue;
        const u = decodeRoundFile(new Uint8Array(bytes), `update of ${client}`);
        if (u.round !== open || u.params.length !== state.params.length) continue;
        updates.push({ params: u.params, examples: u.examples ?? (JSON.parse(received[client]) as { examples: number }).examples });
      }
      const next = federatedAverage(state.params, updates, {
        ...(options.serverLearningRate !== undefined ? { serverLearningRate: options.serverLearningRate } : {}),
        ...(options.serverMomentum ? { serverMomentum: options.serverMomentum, ...(state.momentum ? { momentum: state.momentum } : {}) } : {}),
      });
      state = { round: open, params: next.params, ...(options.serverMomentum ? { momentum: next.momentum } : {}) };
      await writeFileAtomic(options.checkpoint, encodeRoundFile(state));
      await redis.del(keys.global(open - 1), keys.received(open), ...clients.map((c) => keys.update(open, c)));
      await options.onRound?.({ round: open, params: state.params, clients, late: options.clients - clients.length, examples: next.examples, seconds: (performance.now() - started) / 1000 });
    }
    await redis.set(keys.current, JSON.stringify({ round: state.round, done: true }));
    await redis.set(keys.global(state.round + 1), Buffer.from(encodeRoundFile({ round: state.round, params: state.params })));
    return state.params;
  } finally {
    await worker.close();
    blocking.disconnect();
    redis.disconnect();
  }
}

async function loadCheckpoint(file: string): Promise<{ round: number; params: Float32Array; momentum?: Float32Array } | undefined> {
  let bytes: Uint8Array;
  try {
    // A regular file only, its size capped before allocating: never blocks on a FIFO or reads a device.
    bytes = await readUntrustedFile(file, { kind: 'model', what: 'coordinator checkpoint' });
  } catch (e) {
    if (e instanceof FileAccessError && e.code === 'not-found') return undefined;
    throw e;
  }
  const f = decodeRoundFile(bytes, file);
  return { round: f.round, params: f.params, ...(f.momentum ? { momentum: f.momentum } : {}) };
}
