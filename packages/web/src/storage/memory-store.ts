import { checkBytes, checkKey, type ByteStore } from './byte-store.js';

/** A {@link ByteStore} in memory: gone with the page. For tests, and the last resort of {@link openBrowserStore}. */
export function memoryStore(): ByteStore {
  const files = new Map<string, Uint8Array>();
  return Object.freeze({
    kind: 'memory',
    persistent: false,
    get: async (key: string) => {
      const bytes = files.get(checkKey('memoryStore.get', key));
      return bytes?.slice();
    },
    set: async (key: string, bytes: Uint8Array) => {
      files.set(checkKey('memoryStore.set', key), checkBytes('memoryStore.set', bytes).slice());
    },
    delete: async (key: string) => files.delete(checkKey('memoryStore.delete', key)),
    keys: async () => [...files.keys()].sort(),
  } satisfies ByteStore);
}
