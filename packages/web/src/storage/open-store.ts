import type { ByteStore, StoreKind } from './byte-store.js';
import { hasIndexedDb, indexedDbStore } from './indexeddb-store.js';
import { memoryStore } from './memory-store.js';
import { hasOpfs, opfsStore } from './opfs-store.js';

/** Options of {@link openBrowserStore}. */
export interface OpenStoreOptions {
  /** Name of the OPFS folder and of the IndexedDB database. @defaultValue `'onnxkit'` */
  name?: string;
  /** Backends to try, in order. @defaultValue `['opfs', 'indexeddb', 'memory']` */
  prefer?: readonly StoreKind[];
}

/** A store and, for each backend passed over, why. */
export interface OpenedStore {
  readonly store: ByteStore;
  readonly skipped: readonly { kind: StoreKind; reason: string }[];
}

/**
 * Opens the first storage backend that works: OPFS, then IndexedDB, then (not persistent) memory.
 * `skipped` says why a backend was passed over, e.g. to tell the user their work will not survive a reload.
 */
export async function openBrowserStore(options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const name = options.name ?? 'onnxkit';
  const prefer = options.prefer ?? ['opfs', 'indexeddb', 'memory'];
  if (!Array.isArray(prefer) || prefer.length === 0) throw new RangeError('openBrowserStore: prefer must list at least one backend');
  const skipped: { kind: StoreKind; reason: string }[] = [];
  for (const kind of prefer) {
    try {
      if (kind === 'opfs') {
        if (!hasOpfs()) throw new Error('no Origin Private File System with writable files');
        return { store: await opfsStore({ directory: name }), skipped };
      }
      if (kind === 'indexeddb') {
        if (!hasIndexedDb()) throw new Error('no IndexedDB');
        return { store: await indexedDbStore({ database: name }), skipped };
      }
      if (kind === 'memory') return { store: memoryStore(), skipped };
      throw new RangeError(`openBrowserStore: unknown backend '${String(kind)}'; expected 'opfs', 'indexeddb' or 'memory'`);
    } catch (e) {
      if (e instanceof RangeError) throw e;
      skipped.push({ kind, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`openBrowserStore: no storage backend works: ${skipped.map((s) => `${s.kind}: ${s.reason}`).join('; ')}`);
}
