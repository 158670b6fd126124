import { checkBytes, checkKey, type ByteStore } from './byte-store.js';

/** Options of {@link indexedDbStore}. */
export interface IndexedDbStoreOptions {
  /** Database name. @defaultValue `'onnxkit'` */
  database?: string;
  /** Object store in the database. @defaultValue `'files'` */
  objectStore?: string;
}

/** True when the browser offers IndexedDB. */
export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

/**
 * A {@link ByteStore} in IndexedDB (every browser, also where OPFS is missing): one record per key,
 * written in one transaction. Throws an Error when IndexedDB cannot be opened (e.g. disabled storage).
 */
export async function indexedDbStore(options: IndexedDbStoreOptions = {}): Promise<ByteStore> {
  const database = options.database ?? 'onnxkit';
  const storeName = options.objectStore ?? 'files';
  for (const [k, v] of [['database', database], ['objectStore', storeName]] as const) {
    if (typeof v !== 'string' || v.length === 0) throw new RangeError(`indexedDbStore: ${k} must be a non-empty string`);
  }
  if (!hasIndexedDb()) throw new Error('indexedDbStore: this browser has no IndexedDB');
  const db = await openDatabase(database, storeName);
  const tx = <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = db.transaction(storeName, mode);
      const request = work(t.objectStore(storeName));
      // Resolve on commit, not on the request's success: only then are the bytes on disk.
      t.oncomplete = () => resolve(request.result);
      t.onerror = () => reject(t.error ?? request.error);
      t.onabort = () => reject(t.error ?? new Error('indexedDbStore: transaction aborted'));
    });
  return Object.freeze({
    kind: 'indexeddb',
    persistent: true,
    get: async (key: string) => {
      const value = await tx<unknown>('readonly', (s) => s.get(checkKey('indexedDbStore.get', key)));
      if (value === undefined) return undefined;
      return value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
    },
    set: async (key: string, bytes: Uint8Array) => {
      checkBytes('indexedDbStore.set', bytes);
      await tx('readwrite', (s) => s.put(bytes.slice(), checkKey('indexedDbStore.set', key)));
    },
    delete: async (key: string) => {
      checkKey('indexedDbStore.delete', key);
      const count = await tx<number>('readwrite', (s) => {
        const existing = s.count(key);
        s.delete(key);
        return existing;
      });
      return count > 0;
    },
    keys: async () => (await tx<IDBValidKey[]>('readonly', (s) => s.getAllKeys())).map(String).sort(),
  } satisfies ByteStore);
}

function openDatabase(name: string, storeName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(storeName)) request.result.createObjectStore(storeName);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (db.objectStoreNames.contains(storeName)) {
        // Another page wanting a newer version must not be blocked by this connection.
        db.onversionchange = () => db.close();
        return resolve(db);
      }
      // The database exists without this object store: add it in a version upgrade.
      const version = db.version + 1;
      db.close();
      const upgrade = indexedDB.open(name, version);
      upgrade.onupgradeneeded = () => upgrade.result.createObjectStore(storeName);
      upgrade.onsuccess = () => resolve(upgrade.result);
      upgrade.onerror = () => reject(new Error(`indexedDbStore: cannot open '${name}': ${upgrade.error?.message}`));
    };
    request.onerror = () => reject(new Error(`indexedDbStore: cannot open '${name}': ${request.error?.message}`));
    request.onblocked = () => reject(new Error(`indexedDbStore: '${name}' is blocked by another open tab`));
  });
}
